/**
 * Transfer commands. Facts from other streams (do the users exist, is the receiver allowlisted
 * or certified) are read by the handler and arrive in the command; the rules stay here.
 */
import type { CertificationLevel, TransferAuthorization } from './transfer.events';

export type AllowlistCommand =
  | { type: 'AddRecipient'; ownerId: string; recipientId: string; usersExist: boolean; now: string }
  | { type: 'RemoveRecipient'; ownerId: string; recipientId: string; now: string };

export type CertificationCommand = {
  type: 'Certify';
  userId: string;
  userExists: boolean;
  level: CertificationLevel;
  now: string;
};

export type TransactionCommand = {
  type: 'CompleteTransaction';
  transactionId: string;
  senderId: string;
  receiverId: string;
  usersExist: boolean;
  /** Parsed at the edge with the configured scale; checked again here (> 0, at scale). */
  amount: string;
  currency: string;
  scale: number;
  /** Null: neither allowlisted by the sender nor certified, so refused. */
  authorizedBy: TransferAuthorization | null;
  now: string;
};
