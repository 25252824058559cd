import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PayeeRead } from '../shared/payees.view';

export interface NewPayee {
  payeeRef: string;
  label: string;
  /** Decimal strings in the escrow's currency (null: no limit), parsed by the handler. */
  dailyLimit: string | null;
  totalLimit: string | null;
}

/**
 * Support allows a payee on an escrow, with optional daily and total limits (KOBATELA-SPEC §2.9;
 * `payee.allowed.v1` on the escrow stream).
 */
export class AllowPayeeCommand extends Command<Committed<PayeeRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly payee: NewPayee,
  ) {
    super();
  }
}
