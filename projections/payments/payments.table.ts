/** The `payments` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface PaymentsTable {
  amount: string;
  beneficiary_id: string;
  currency: string;
  deposit_id: string | null;
  escrow_id: string;
  failed_at: Timestamp | null;
  failure_reason: string | null;
  id: string;
  initiated_at: Timestamp;
  kind: string;
  milestone_id: string | null;
  psp_ref: string | null;
  reason: string;
  retried_by: string | null;
  retry_of: string | null;
  sent_at: Timestamp | null;
  settled_at: Timestamp | null;
  status: string;
  updated_at: Timestamp;
}

export type PaymentRow = Selectable<PaymentsTable>;
