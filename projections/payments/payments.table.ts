/** The `payments` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface PaymentsTable {
  amount: string;
  beneficiary_id: string;
  currency: string;
  deposit_id: string | null;
  escrow_id: string;
  failed_at: Date | null;
  failure_reason: string | null;
  id: string;
  initiated_at: Date;
  kind: string;
  milestone_id: string | null;
  psp_ref: string | null;
  reason: string;
  retried_by: string | null;
  retry_of: string | null;
  sent_at: Date | null;
  settled_at: Date | null;
  status: string;
  updated_at: Date;
}

export type PaymentRow = Selectable<PaymentsTable>;
