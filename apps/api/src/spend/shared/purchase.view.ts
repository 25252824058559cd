/**
 * How purchases leave the API: `sender_id` is the mandate's real sender and `beneficiary_id` who
 * spent (the old service stored the beneficiary as `sender_id`, B13); money as a decimal string
 * at the currency's scale; times as ISO-8601 UTC. Purchases are recorded COMPLETED.
 */
import type { PurchaseRecorded } from '../../mandates/shared';
import { atScale, iso } from '../../http/formats';

export interface PurchaseRead {
  id: string;
  sender_id: string;
  beneficiary_id: string;
  merchant_id: string;
  category_id: string | null;
  mandate_id: string;
  amount: string;
  currency: string;
  status: 'COMPLETED';
  created_at: string;
  updated_at: string;
}

export function purchaseEventView(d: PurchaseRecorded): PurchaseRead {
  return {
    id: d.purchaseId,
    sender_id: d.senderId,
    beneficiary_id: d.beneficiaryId,
    merchant_id: d.merchantId,
    category_id: d.categoryId,
    mandate_id: d.mandateId,
    amount: d.amount,
    currency: d.currency,
    status: 'COMPLETED',
    created_at: iso(d.recordedAt),
    updated_at: iso(d.recordedAt),
  };
}

export function purchaseRowView(r: Record<string, any>): PurchaseRead {
  return {
    id: r.id,
    sender_id: r.sender_id,
    beneficiary_id: r.beneficiary_id,
    merchant_id: r.merchant_id,
    category_id: r.category_id,
    mandate_id: r.mandate_id,
    amount: atScale(r.amount, r.currency, r.scale ?? null),
    currency: r.currency,
    status: 'COMPLETED',
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
