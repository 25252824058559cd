/**
 * Restricted transfers' read models: the allowlist entries (`GET /allowlist`), each user's
 * certification, and the completed transactions (`GET /transactions`). Every write is
 * idempotent: inserts do nothing when the row is there, a removal deletes what may be there.
 */
import type { TransferEvent } from '@kob/domain';
import { columnsFrom, eventProjector, insertOnce } from '../projector-shell';

const tables = ['allowlist_entries', 'certifications', 'transactions'];

export const transfersProjection = eventProjector<TransferEvent>(
  { name: 'transfers', version: 1, tables },
  {
    'allowlist.recipient_added.v1': (trx, d) =>
      insertOnce(
        trx,
        'allowlist_entries',
        { owner_id: d.ownerId, recipient_id: d.recipientId, created_at: d.addedAt },
        ['owner_id', 'recipient_id'],
      ),
    'allowlist.recipient_removed.v1': (trx, d) =>
      trx
        .deleteFrom('allowlist_entries')
        .where('owner_id', '=', d.ownerId)
        .where('recipient_id', '=', d.recipientId)
        .execute(),
    'certification.updated.v1': (trx, d) => {
      const certification = { level: d.level, certified_at: d.certifiedAt };
      return trx
        .insertInto('certifications')
        .values({ user_id: d.userId, ...certification })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(certification))
        .execute();
    },
    'transaction.completed.v1': (trx, d) =>
      insertOnce(trx, 'transactions', {
        id: d.transactionId,
        ...columnsFrom(d, ['senderId', 'receiverId', 'amount', 'currency', 'scale']),
        status: 'COMPLETED',
        created_at: d.completedAt,
        updated_at: d.completedAt,
      }),
  },
);
