/** The `purchases` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface PurchasesTable {
  amount: string;
  beneficiary_id: string;
  category_id: string | null;
  created_at: Date;
  currency: string;
  id: string;
  mandate_id: string;
  merchant_id: string;
  sender_id: string;
  status: string;
  updated_at: Date;
}

export type PurchaseRow = Selectable<PurchasesTable>;
