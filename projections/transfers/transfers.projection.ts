/**
 * Restricted transfers' read models: the allowlist entries (`GET /allowlist`), each user's
 * certification, and the completed transactions (`GET /transactions`). Every write is
 * idempotent: inserts do nothing when the row is there, a removal deletes what may be there.
 */
import type { TransferEvent } from '@kob/domain';
import { eventProjector, insertOnce } from '../projector-shell';

const tables = ['allowlist_entries', 'certifications', 'transactions'];

export const transfersProjection = eventProjector<TransferEvent>(
  { name: 'transfers', version: 1, tables },
  async (trx, e) => {
    switch (e.type) {
      case 'allowlist.recipient_added.v1':
        await insertOnce(
          trx,
          'allowlist_entries',
          {
            owner_id: e.data.ownerId,
            recipient_id: e.data.recipientId,
            created_at: e.data.addedAt,
          },
          ['owner_id', 'recipient_id'],
        );
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
        await insertOnce(trx, 'transactions', {
          id: e.data.transactionId,
          sender_id: e.data.senderId,
          receiver_id: e.data.receiverId,
          amount: e.data.amount,
          currency: e.data.currency,
          scale: e.data.scale,
          status: 'COMPLETED',
          created_at: e.data.completedAt,
          updated_at: e.data.completedAt,
        });
        break;
      default:
        break;
    }
  },
);
