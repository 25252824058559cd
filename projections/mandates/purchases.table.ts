/** The `purchases` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface PurchasesTable {
  amount: string;
  beneficiary_id: string;
  category_id: string | null;
  created_at: Timestamp;
  currency: string;
  id: string;
  mandate_id: string;
  merchant_id: string;
  sender_id: string;
  status: string;
  updated_at: Timestamp;
}

export type PurchaseRow = Selectable<PurchasesTable>;
