/**
 * Usage mandates (API-RULES.md §6, KOBATELA-SPEC.md §3.1, §4.13): a sender allows a beneficiary
 * to spend up to `totalAmount` in one currency, optionally only at one merchant or in one
 * category, until `expiresAt`. Purchases are recorded on the mandate's stream, so the limit is
 * decided on one stream; the mandate is CONSUMED when they reach the total, EXPIRED by cleanup,
 * the scheduler, or a new mandate that replaces one past its expiry. Amounts are decimal strings
 * at the currency's scale.
 */
export type MandateStatus = 'ACTIVE' | 'CONSUMED' | 'EXPIRED';
export type MandateExpiryReason = 'cleanup' | 'scheduler' | 'replaced';

export interface MandateCreatedData {
  mandateId: string;
  senderId: string;
  beneficiaryId: string;
  totalAmount: string;
  currency: string;
  scale: number;
  allowedCategoryId: string | null;
  allowedMerchantId: string | null;
  expiresAt: string;
  createdAt: string;
}

export interface MandatePurchaseRecordedData {
  mandateId: string;
  purchaseId: string;
  senderId: string;
  beneficiaryId: string;
  merchantId: string;
  categoryId: string | null;
  amount: string;
  currency: string;
  totalSpentAfter: string;
  recordedAt: string;
}

export type MandateEvent =
  | { type: 'mandate.created.v1'; data: MandateCreatedData }
  | { type: 'mandate.purchase_recorded.v1'; data: MandatePurchaseRecordedData }
  | {
      type: 'mandate.consumed.v1';
      data: { mandateId: string; totalSpent: string; consumedAt: string };
    }
  | {
      type: 'mandate.expired.v1';
      data: { mandateId: string; expiredAt: string; reason: MandateExpiryReason };
    };

/**
 * The record of a `POST /mandates/cleanup` run under an Idempotency-Key (stream
 * `mandate_cleanup-{id}`, id derived from the key): a retry answers from it.
 */
export type MandateCleanupEvent = {
  type: 'mandate.cleanup_recorded.v1';
  data: { cleanupId: string; expired: number; mandateIds: string[]; recordedAt: string };
};
