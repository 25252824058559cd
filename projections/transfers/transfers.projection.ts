/**
 * Restricted transfers' read models: the allowlist entries (`GET /allowlist`), each user's
 * certification, and the completed transactions (`GET /transactions`). Every write is
 * idempotent: inserts do nothing when the row is there, a removal deletes what may be there.
 */
import type { Transaction } from 'kysely';
import type { TransferEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';

export const transfersProjection = {
  name: 'transfers',
  version: 1,
  tables: ['allowlist_entries', 'certifications', 'transactions'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const e = recorded as unknown as TransferEvent;
      switch (e.type) {
        case 'allowlist.recipient_added.v1':
          await trx
            .insertInto('allowlist_entries')
            .values({
              owner_id: e.data.ownerId,
              recipient_id: e.data.recipientId,
              created_at: e.data.addedAt,
            })
            .onConflict((oc) => oc.columns(['owner_id', 'recipient_id']).doNothing())
            .execute();
          break;
        case 'allowlist.recipient_removed.v1':
          await trx
            .deleteFrom('allowlist_entries')
            .where('owner_id', '=', e.data.ownerId)
            .where('recipient_id', '=', e.data.recipientId)
            .execute();
          break;
        case 'certification.updated.v1':
          await trx
            .insertInto('certifications')
            .values({
              user_id: e.data.userId,
              level: e.data.level,
              certified_at: e.data.certifiedAt,
            })
            .onConflict((oc) =>
              oc
                .column('user_id')
                .doUpdateSet({ level: e.data.level, certified_at: e.data.certifiedAt }),
            )
            .execute();
          break;
        case 'transaction.completed.v1':
          await trx
            .insertInto('transactions')
            .values({
              id: e.data.transactionId,
              sender_id: e.data.senderId,
              receiver_id: e.data.receiverId,
              amount: e.data.amount,
              currency: e.data.currency,
              scale: e.data.scale,
              status: 'COMPLETED',
              created_at: e.data.completedAt,
              updated_at: e.data.completedAt,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        default:
          break;
      }
    }
  },
};
