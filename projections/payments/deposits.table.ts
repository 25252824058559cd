/** The `deposits` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface DepositsTable {
  amount: string;
  beyond_cap: boolean;
  currency: string;
  escrow_id: string;
  id: string;
  initiated_at: Timestamp;
  psp_ref: string | null;
  refund_payment_id: string | null;
  status: string;
  updated_at: Timestamp;
}

export type DepositRow = Selectable<DepositsTable>;
