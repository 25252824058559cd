/**
 * Mandates and purchases for queries (`GET /mandates`, `GET /spend/purchases`) and for the
 * expiry jobs' to-do list: one row per mandate with its status and total spent, one row per
 * purchase (its `sender_id` is the mandate's real sender, B13). Purchases and expiries are
 * decided on the mandate stream, never on these rows. Every write is idempotent: inserts skip
 * existing ids, updates set absolute values from the event.
 */
import type { Transaction } from 'kysely';
import type { MandateEvent } from '@kob/domain';
import { eventProjector, insertOnce, ofTypes, updateById } from '../projector-shell';

async function applyOne(trx: Transaction<any>, e: MandateEvent): Promise<void> {
  switch (e.type) {
    case 'mandate.created.v1': {
      const d = e.data;
      await insertOnce(trx, 'mandates', {
        id: d.mandateId,
        sender_id: d.senderId,
        beneficiary_id: d.beneficiaryId,
        total_amount: d.totalAmount,
        total_spent: '0',
        currency: d.currency,
        scale: d.scale,
        allowed_category_id: d.allowedCategoryId,
        allowed_merchant_id: d.allowedMerchantId,
        expires_at: d.expiresAt,
        status: 'ACTIVE',
        expired_reason: null,
        created_at: d.createdAt,
        updated_at: d.createdAt,
      });
      return;
    }
    case 'mandate.purchase_recorded.v1': {
      const d = e.data;
      await insertOnce(trx, 'purchases', {
        id: d.purchaseId,
        mandate_id: d.mandateId,
        sender_id: d.senderId,
        beneficiary_id: d.beneficiaryId,
        merchant_id: d.merchantId,
        category_id: d.categoryId,
        amount: d.amount,
        currency: d.currency,
        status: 'COMPLETED',
        created_at: d.recordedAt,
        updated_at: d.recordedAt,
      });
      await updateById(trx, 'mandates', d.mandateId, {
        total_spent: d.totalSpentAfter,
        updated_at: d.recordedAt,
      });
      return;
    }
    case 'mandate.consumed.v1':
      await updateById(trx, 'mandates', e.data.mandateId, {
        status: 'CONSUMED',
        total_spent: e.data.totalSpent,
        updated_at: e.data.consumedAt,
      });
      return;
    case 'mandate.expired.v1':
      await updateById(trx, 'mandates', e.data.mandateId, {
        status: 'EXPIRED',
        expired_reason: e.data.reason,
        updated_at: e.data.expiredAt,
      });
      return;
    default:
      return;
  }
}

/** By type: the slot reservations live on `mandate-slot-…` streams too. */
const reads = ofTypes(
  'mandate.created.v1',
  'mandate.purchase_recorded.v1',
  'mandate.consumed.v1',
  'mandate.expired.v1',
);

export const mandatesProjection = eventProjector<MandateEvent>(
  { name: 'mandates', version: 1, tables: ['mandates', 'purchases'], reads },
  applyOne,
);
