/**
 * Mandates and purchases for queries (`GET /mandates`, `GET /spend/purchases`) and for the
 * expiry jobs' to-do list: one row per mandate with its status and total spent, one row per
 * purchase (its `sender_id` is the mandate's real sender, B13). Purchases and expiries are
 * decided on the mandate stream, never on these rows. Every write is idempotent: inserts skip
 * existing ids, updates set absolute values from the event.
 */
import type { MandateEvent } from '@kob/domain';
import { columnsFrom, eventProjector, insertOnce, stampedUpdatesOf } from '../projector-shell';

/** Moves the mandate's row along, stamped with the event's time. */
const updateMandate = stampedUpdatesOf('mandates');

/** It reads its four event types only: the slot reservations live on `mandate-slot-…` streams too. */
export const mandatesProjection = eventProjector<MandateEvent>(
  { name: 'mandates', version: 1, tables: ['mandates', 'purchases'] },
  {
    'mandate.created.v1': (trx, d) =>
      insertOnce(trx, 'mandates', {
        id: d.mandateId,
        ...columnsFrom(d, [
          'senderId',
          'beneficiaryId',
          'totalAmount',
          'currency',
          'scale',
          'allowedCategoryId',
          'allowedMerchantId',
          'expiresAt',
        ]),
        total_spent: '0',
        status: 'ACTIVE',
        expired_reason: null,
        created_at: d.createdAt,
        updated_at: d.createdAt,
      }),
    'mandate.purchase_recorded.v1': async (trx, d) => {
      await insertOnce(trx, 'purchases', {
        id: d.purchaseId,
        ...columnsFrom(d, [
          'mandateId',
          'senderId',
          'beneficiaryId',
          'merchantId',
          'categoryId',
          'amount',
          'currency',
        ]),
        status: 'COMPLETED',
        created_at: d.recordedAt,
        updated_at: d.recordedAt,
      });
      await updateMandate(trx, d.mandateId, { total_spent: d.totalSpentAfter }, d.recordedAt);
    },
    'mandate.consumed.v1': (trx, d) =>
      updateMandate(
        trx,
        d.mandateId,
        { status: 'CONSUMED', total_spent: d.totalSpent },
        d.consumedAt,
      ),
    'mandate.expired.v1': (trx, d) =>
      updateMandate(trx, d.mandateId, { status: 'EXPIRED', expired_reason: d.reason }, d.expiredAt),
  },
);
