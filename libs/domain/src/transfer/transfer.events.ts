/**
 * Restricted transfers (KOBATELA-SPEC.md §2.10, §4.14): an owner's allowlist of recipients, a
 * user's certification level, and transactions between users, authorised when the receiver is on
 * the sender's allowlist or certified at any level. A transaction moves no balance: it is a
 * record that the transfer was authorised and completed.
 */
export type CertificationLevel = 'BASIC' | 'GOLD';
export const certificationLevels: readonly CertificationLevel[] = ['BASIC', 'GOLD'];

export type AllowlistEvent =
  | {
      type: 'allowlist.recipient_added.v1';
      data: { ownerId: string; recipientId: string; addedAt: string };
    }
  | {
      type: 'allowlist.recipient_removed.v1';
      data: { ownerId: string; recipientId: string; removedAt: string };
    };

export type CertificationEvent = {
  type: 'certification.updated.v1';
  data: { userId: string; level: CertificationLevel; certifiedAt: string };
};

/** What let the transfer through (kept for the audit trail). */
export type TransferAuthorization = 'allowlist' | 'certification';

export interface TransactionCompletedData {
  transactionId: string;
  senderId: string;
  receiverId: string;
  /** At the currency's scale. */
  amount: string;
  currency: string;
  scale: number;
  authorizedBy: TransferAuthorization;
  completedAt: string;
}

export type TransactionEvent = { type: 'transaction.completed.v1'; data: TransactionCompletedData };

export type TransferEvent = AllowlistEvent | CertificationEvent | TransactionEvent;
