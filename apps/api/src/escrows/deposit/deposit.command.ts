import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { DepositRead } from '../../payments/shared';
import type { EscrowRead } from '../shared/escrows.view';

export type DepositAnswer = EscrowRead & { deposit: DepositRead };

/** The escrow's client puts money in (API-RULES.md §3): `amount` in the escrow's currency. */
export class DepositCommand extends Command<Committed<DepositAnswer>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly amount: string,
  ) {
    super();
  }
}
