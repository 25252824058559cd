/**
 * Transfer commands. Facts from other streams (do the users exist, is the receiver allowlisted
 * or certified) are read by the handler and arrive in the command; the rules stay here.
 */
import type {
  CertificationLevel,
  TransactionCompletedData,
  TransferAuthorization,
} from './transfer.events';

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

/** `amount` is parsed at the edge with the configured scale and checked again here (> 0, at scale). */
export interface TransactionCommand extends Omit<
  TransactionCompletedData,
  'authorizedBy' | 'completedAt'
> {
  type: 'CompleteTransaction';
  usersExist: boolean;
  /** Null: neither allowlisted by the sender nor certified, so refused. */
  authorizedBy: TransferAuthorization | null;
  now: string;
}
