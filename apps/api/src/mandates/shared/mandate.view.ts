/**
 * How mandates leave the API (`UsageMandateRead`): money as decimal strings at the currency's
 * scale (`total_spent` included, which the old service hid), times as ISO-8601 UTC.
 */
import type { MandateState } from '@kob/domain';
import { atScale, iso } from '../../http/formats';

export interface UsageMandateRead {
  id: string;
  sender_id: string;
  beneficiary_id: string;
  total_amount: string;
  total_spent: string;
  currency: string;
  allowed_category_id: string | null;
  allowed_merchant_id: string | null;
  expires_at: string;
  status: string;
  created_at: string;
  updated_at: string;
}

export function mandateStateView(s: MandateState): UsageMandateRead {
  return {
    id: s.mandateId,
    sender_id: s.senderId,
    beneficiary_id: s.beneficiaryId,
    total_amount: atScale(s.totalAmount, s.currency, s.scale),
    total_spent: atScale(s.totalSpent, s.currency, s.scale),
    currency: s.currency,
    allowed_category_id: s.allowedCategoryId,
    allowed_merchant_id: s.allowedMerchantId,
    expires_at: iso(s.expiresAt),
    status: s.status,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

export function mandateRowView(r: Record<string, any>): UsageMandateRead {
  return {
    id: r.id,
    sender_id: r.sender_id,
    beneficiary_id: r.beneficiary_id,
    total_amount: atScale(r.total_amount, r.currency, r.scale),
    total_spent: atScale(r.total_spent, r.currency, r.scale),
    currency: r.currency,
    allowed_category_id: r.allowed_category_id,
    allowed_merchant_id: r.allowed_merchant_id,
    expires_at: iso(r.expires_at),
    status: r.status,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
