import { Command } from '@nestjs/cqrs';
import type { CommittedResult } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { SpendRead } from './spend-usage.view';

export interface UsageSpend {
  payeeRef: string;
  /** A decimal string, parsed in the escrow's currency by the handler. */
  amount: string;
  note: string | null;
}

/**
 * The escrow's client pays an allowed payee out of what the escrow holds (KOBATELA-SPEC §4.13):
 * a payment of kind `spend`, its id derived from the request's (scope, key).
 */
export class SpendUsageCommand extends Command<CommittedResult<SpendRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly escrowId: string,
    readonly spend: UsageSpend,
  ) {
    super();
  }
}
