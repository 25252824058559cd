/** The `deposits` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface DepositsTable {
  amount: string;
  beyond_cap: boolean;
  currency: string;
  escrow_id: string;
  id: string;
  initiated_at: Date;
  psp_ref: string | null;
  refund_payment_id: string | null;
  status: string;
  updated_at: Date;
}

export type DepositRow = Selectable<DepositsTable>;
