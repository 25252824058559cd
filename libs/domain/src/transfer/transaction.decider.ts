/**
 * Transaction decider (`transaction-{id}`, the id derived from the request's Idempotency-Key):
 * completed once, between two existing users, for a positive amount at the currency's scale, and
 * only when the receiver is on the sender's allowlist or certified. A refusal is a 403
 * UNAUTHORIZED_TRANSFER; the handler raises its one alert.
 */
import { DomainError } from '@kob/kernel';
import { recordDecider } from '../decider-kit';
import { assertScale, currencyCode, invalid, positiveAmount } from '../escrow/escrow.validate';
import type { TransactionCommand } from './transfer.commands';
import type {
  TransactionCompletedData,
  TransactionEvent,
  TransferAuthorization,
} from './transfer.events';

/** The completed transaction; blank (`authorizedBy` null) until then. */
export interface TransactionState extends Omit<TransactionCompletedData, 'authorizedBy'> {
  exists: boolean;
  authorizedBy: TransferAuthorization | null;
}

export const transactionDecider = recordDecider<
  TransactionState,
  TransactionCommand,
  TransactionEvent
>({
  category: 'transaction',
  initialState: () => ({
    exists: false,
    transactionId: '',
    senderId: '',
    receiverId: '',
    amount: '0',
    currency: '',
    scale: 0,
    authorizedBy: null,
    completedAt: '',
  }),
  conflict: { code: 'TRANSACTION_EXISTS', what: 'transaction' },
  create(command) {
    assertScale(command.scale);
    const amount = positiveAmount(
      command.amount,
      currencyCode(command.currency, 'currency'),
      command.scale,
      'amount',
    );
    if (command.senderId === command.receiverId)
      throw invalid('receiver_id', 'must differ from sender_id');
    if (!command.usersExist)
      throw new DomainError('USER_NOT_FOUND', 'User not found.', 'not_found');
    if (command.authorizedBy === null) {
      throw new DomainError(
        'UNAUTHORIZED_TRANSFER',
        'Receiver is not allowlisted or certified.',
        'forbidden',
      );
    }
    return {
      type: 'transaction.completed.v1',
      data: {
        transactionId: command.transactionId,
        senderId: command.senderId,
        receiverId: command.receiverId,
        amount: amount.toString(),
        currency: amount.currency,
        scale: command.scale,
        authorizedBy: command.authorizedBy,
        completedAt: command.now,
      },
    };
  },
});
