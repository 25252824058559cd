import { Command } from '@nestjs/cqrs';
import type { CommittedResult } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { TransactionRead } from '../shared/transfers.view';

/**
 * A transaction from `senderId` to `receiverId` (in lower case): `amount` as sent, in `currency`
 * (the default when none is named).
 */
export class CompleteTransactionCommand extends Command<CommittedResult<TransactionRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly senderId: string,
    readonly receiverId: string,
    readonly amount: string,
    readonly currency: string | undefined,
  ) {
    super();
  }
}
