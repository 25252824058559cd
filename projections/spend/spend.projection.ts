/**
 * The spend catalogue's read models: one row per category and merchant, one per usage allow, for
 * the paged lists of `/spend/categories` and `/spend/merchants`. Every write is idempotent
 * (insert, or nothing when the row is there).
 */
import type { SpendEvent } from '@kob/domain';
import { columnsFrom, eventProjector, insertOnce } from '../projector-shell';

export const spendProjection = eventProjector<SpendEvent>(
  { name: 'spend', version: 1, tables: ['spend_categories', 'merchants', 'usage_allows'] },
  {
    'spend.category_created.v1': (trx, d) =>
      insertOnce(trx, 'spend_categories', {
        id: d.categoryId,
        ...columnsFrom(d, ['code', 'label']),
        created_at: d.createdAt,
        updated_at: d.createdAt,
      }),
    'spend.merchant_created.v1': (trx, d) =>
      insertOnce(trx, 'merchants', {
        id: d.merchantId,
        ...columnsFrom(d, ['name', 'categoryId', 'isCertified']),
        created_at: d.createdAt,
        updated_at: d.createdAt,
      }),
    'spend.usage_allowed.v1': (trx, d) => {
      const target =
        d.merchantId !== null
          ? { kind: 'merchant', id: d.merchantId }
          : { kind: 'category', id: d.categoryId };
      const row = {
        owner_id: d.ownerId,
        target_kind: target.kind,
        target_id: target.id,
        created_at: d.allowedAt,
      };
      return insertOnce(trx, 'usage_allows', row, ['owner_id', 'target_kind', 'target_id']);
    },
  },
);
