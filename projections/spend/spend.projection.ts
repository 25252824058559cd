/**
 * The spend catalogue's read models: one row per category and merchant, one per usage allow, for
 * the paged lists of `/spend/categories` and `/spend/merchants`. Every write is idempotent
 * (insert, or nothing when the row is there).
 */
import type { Transaction } from 'kysely';
import type { SpendEvent } from '@kob/domain';
import type { RecordedEvent } from '@kob/event-store';

export const spendProjection = {
  name: 'spend',
  version: 1,
  tables: ['spend_categories', 'merchants', 'usage_allows'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      const e = recorded as unknown as SpendEvent;
      switch (e.type) {
        case 'spend.category_created.v1':
          await trx
            .insertInto('spend_categories')
            .values({
              id: e.data.categoryId,
              code: e.data.code,
              label: e.data.label,
              created_at: e.data.createdAt,
              updated_at: e.data.createdAt,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        case 'spend.merchant_created.v1':
          await trx
            .insertInto('merchants')
            .values({
              id: e.data.merchantId,
              name: e.data.name,
              category_id: e.data.categoryId,
              is_certified: e.data.isCertified,
              created_at: e.data.createdAt,
              updated_at: e.data.createdAt,
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute();
          break;
        case 'spend.usage_allowed.v1': {
          const target =
            e.data.merchantId !== null
              ? { kind: 'merchant', id: e.data.merchantId }
              : { kind: 'category', id: e.data.categoryId };
          await trx
            .insertInto('usage_allows')
            .values({
              owner_id: e.data.ownerId,
              target_kind: target.kind,
              target_id: target.id,
              created_at: e.data.allowedAt,
            })
            .onConflict((oc) => oc.columns(['owner_id', 'target_kind', 'target_id']).doNothing())
            .execute();
          break;
        }
        default:
          break;
      }
    }
  },
};
