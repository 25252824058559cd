/**
 * The spend catalogue's read models: one row per category and merchant, one per usage allow, for
 * the paged lists of `/spend/categories` and `/spend/merchants`. Every write is idempotent
 * (insert, or nothing when the row is there).
 */
import type { SpendEvent } from '@kob/domain';
import { eventProjector, insertOnce } from '../projector-shell';

export const spendProjection = eventProjector<SpendEvent>(
  { name: 'spend', version: 1, tables: ['spend_categories', 'merchants', 'usage_allows'] },
  async (trx, e) => {
    switch (e.type) {
      case 'spend.category_created.v1':
        await insertOnce(trx, 'spend_categories', {
          id: e.data.categoryId,
          code: e.data.code,
          label: e.data.label,
          created_at: e.data.createdAt,
          updated_at: e.data.createdAt,
        });
        break;
      case 'spend.merchant_created.v1':
        await insertOnce(trx, 'merchants', {
          id: e.data.merchantId,
          name: e.data.name,
          category_id: e.data.categoryId,
          is_certified: e.data.isCertified,
          created_at: e.data.createdAt,
          updated_at: e.data.createdAt,
        });
        break;
      case 'spend.usage_allowed.v1': {
        const target =
          e.data.merchantId !== null
            ? { kind: 'merchant', id: e.data.merchantId }
            : { kind: 'category', id: e.data.categoryId };
        await insertOnce(
          trx,
          'usage_allows',
          {
            owner_id: e.data.ownerId,
            target_kind: target.kind,
            target_id: target.id,
            created_at: e.data.allowedAt,
          },
          ['owner_id', 'target_kind', 'target_id'],
        );
        break;
      }
      default:
        break;
    }
  },
);
