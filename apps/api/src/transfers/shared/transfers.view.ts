/** How allowlist entries, certifications and transactions leave the API (money as strings). */
import type { CertificationState, TransactionState } from '@kob/domain';
import { atScale, iso } from '../../http/formats';

export interface AllowlistEntryRead {
  owner_id: string;
  recipient_id: string;
  created_at: string;
}

export interface CertificationRead {
  user_id: string;
  level: string;
  certified_at: string;
}

export interface TransactionRead {
  id: string;
  sender_id: string;
  receiver_id: string;
  amount: string;
  currency: string;
  status: 'COMPLETED';
  created_at: string;
  updated_at: string;
}

export function allowlistRowView(r: Record<string, any>): AllowlistEntryRead {
  return { owner_id: r.owner_id, recipient_id: r.recipient_id, created_at: iso(r.created_at) };
}

export function certificationStateView(s: CertificationState): CertificationRead {
  return { user_id: s.userId, level: s.level ?? '', certified_at: iso(s.certifiedAt) };
}

/** A transaction completes once and never changes: updated_at = created_at. */
export function transactionStateView(s: TransactionState): TransactionRead {
  return {
    id: s.transactionId,
    sender_id: s.senderId,
    receiver_id: s.receiverId,
    amount: atScale(s.amount, s.currency, s.scale),
    currency: s.currency,
    status: 'COMPLETED',
    created_at: iso(s.completedAt),
    updated_at: iso(s.completedAt),
  };
}

export function transactionRowView(r: Record<string, any>): TransactionRead {
  return {
    id: r.id,
    sender_id: r.sender_id,
    receiver_id: r.receiver_id,
    amount: atScale(r.amount, r.currency, r.scale),
    currency: r.currency,
    status: 'COMPLETED',
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}
