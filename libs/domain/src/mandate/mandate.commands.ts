import type { MandateExpiryReason } from './mandate.events';

export interface CreateMandate {
  type: 'CreateMandate';
  mandateId: string;
  senderId: string;
  beneficiaryId: string;
  /** At the currency's scale, > 0 (parsed with Money at the edge). */
  totalAmount: string;
  currency: string;
  scale: number;
  allowedCategoryId: string | null;
  allowedMerchantId: string | null;
  expiresAt: string;
  now: string;
}

export interface RecordPurchase {
  type: 'RecordPurchase';
  mandateId: string;
  purchaseId: string;
  merchantId: string;
  /** The merchant's own category (never the client's word for it). */
  categoryId: string | null;
  amount: string;
  currency: string;
  now: string;
}

export interface ExpireMandate {
  type: 'ExpireMandate';
  mandateId: string;
  reason: MandateExpiryReason;
  now: string;
}

export type MandateCommand = CreateMandate | RecordPurchase | ExpireMandate;

export interface RecordCleanup {
  type: 'RecordCleanup';
  cleanupId: string;
  mandateIds: string[];
  now: string;
}
