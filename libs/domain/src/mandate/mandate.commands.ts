import type { MandateCreatedData, MandateExpiryReason } from './mandate.events';

/**
 * The mandate as it is created (`totalAmount` at the currency's scale, > 0, parsed with Money at
 * the edge and checked again by the decider); time arrives in the command.
 */
export interface CreateMandate extends Omit<MandateCreatedData, 'createdAt'> {
  type: 'CreateMandate';
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
