/**
 * A transaction (API-RULES.md §1, KOBATELA-SPEC.md §2.10, §4.14; Idempotency-Key required, its id
 * derived from the key) is authorised when the receiver is on the sender's allowlist or certified
 * at any level, both read from their streams, never from a read model, and the append is
 * conditional on the revisions read (issue 12). A refusal appends exactly one alert,
 * `UNAUTHORIZED_TRANSFER_ATTEMPT` (a replay of the same request raises none), and nothing else,
 * then answers 403 UNAUTHORIZED_TRANSFER once the alert is visible; it does not use up its key.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  type TransferAuthorization,
  allowlistDecider,
  certificationDecider,
  transactionDecider,
} from '@kob/domain';
import type { Position } from '@kob/event-store';
import { DomainError, Money } from '@kob/kernel';
import {
  type CommandMetadata,
  CommandRunner,
  type PinnedReader,
  raiseAlert,
  rejectionCause,
} from '@kob/platform';
import { Committed, CommittedRefusal, type CommittedResult } from '../../http/committed';
import { Currencies } from '../../platform/currencies';
import { EVENT_STORE, type EventStore } from '../../platform/platform.providers';
import {
  allowlistStream,
  certificationStream,
  transactionStream,
} from '../shared/transfer-streams';
import { allUsersExist } from '../shared/transfer-users';
import { type TransactionRead, transactionStateView } from '../shared/transfers.view';
import { CompleteTransactionCommand } from './complete-transaction.command';

/** The currency of a transaction that names none (as the old service did). */
export const TRANSACTION_CURRENCY_DEFAULT = 'USD';

@CommandHandler(CompleteTransactionCommand)
export class CompleteTransactionHandler implements ICommandHandler<CompleteTransactionCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly currencies: Currencies,
  ) {}

  async execute(c: CompleteTransactionCommand): Promise<CommittedResult<TransactionRead>> {
    const { senderId, receiverId } = c;
    const metadata = c.origin.metadata('required');
    const amount = this.currencies.parse(
      c.amount,
      c.currency ?? TRANSACTION_CURRENCY_DEFAULT,
      'amount',
    );
    const usersExist = await allUsersExist(this.commands, [senderId, receiverId]);
    try {
      const result = await this.commands.executeWithFacts({
        decider: transactionDecider,
        metadata,
        kind: 'CompleteTransaction',
        targetStream: transactionStream,
        // The allowlist and the certification read are conditions of the append: a removal
        // committed before it makes the command read and decide again (refused), one after it
        // finds the transfer done.
        facts: (reader) => authorization(reader, senderId, receiverId),
        command: (id, authorizedBy) => ({
          type: 'CompleteTransaction' as const,
          transactionId: id,
          senderId,
          receiverId,
          usersExist,
          amount: amount.toString(),
          currency: amount.currency,
          scale: amount.scale,
          authorizedBy,
          now: metadata.now.toISOString(),
        }),
      });
      return new Committed(transactionStateView(result.state), result.position);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'UNAUTHORIZED_TRANSFER')) throw err;
      // Visible at GET /alerts by the time the refusal is answered (read-your-writes).
      return new CommittedRefusal(err, await this.alertUnauthorized(c, amount, metadata));
    }
  }

  /** The refusal's one alert: its id comes from the request's scope and key, so a replay adds none. */
  private async alertUnauthorized(
    { senderId, receiverId }: CompleteTransactionCommand,
    amount: Money,
    metadata: CommandMetadata,
  ): Promise<Position | null> {
    const { position } = await raiseAlert(
      { store: this.store },
      {
        type: 'UNAUTHORIZED_TRANSFER_ATTEMPT',
        message: 'Receiver is not allowlisted or certified.',
        actorUserId: senderId,
        payload: {
          sender_id: senderId,
          attempted_receiver_id: receiverId,
          amount: amount.toString(),
          currency: amount.currency,
        },
        cause: rejectionCause('transfer', metadata),
      },
      metadata,
    );
    return position;
  }
}

/** Allowlisted by the sender first (the stronger statement), else the receiver's certification. */
async function authorization(
  reader: PinnedReader,
  senderId: string,
  receiverId: string,
): Promise<TransferAuthorization | null> {
  const [allowlist, certification] = await Promise.all([
    reader.read(allowlistStream(senderId), allowlistDecider),
    reader.read(certificationStream(receiverId), certificationDecider),
  ]);
  if (allowlist.recipientIds.includes(receiverId)) return 'allowlist';
  return certification.exists ? 'certification' : null;
}
