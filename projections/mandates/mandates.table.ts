/** The `mandates` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface MandatesTable {
  allowed_category_id: string | null;
  allowed_merchant_id: string | null;
  beneficiary_id: string;
  created_at: Date;
  currency: string;
  expired_reason: string | null;
  expires_at: Date;
  id: string;
  scale: number;
  sender_id: string;
  status: string;
  total_amount: string;
  total_spent: string;
  updated_at: Date;
}

export type MandateRow = Selectable<MandatesTable>;
