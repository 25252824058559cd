/** The `mandates` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface MandatesTable {
  allowed_category_id: string | null;
  allowed_merchant_id: string | null;
  beneficiary_id: string;
  created_at: Timestamp;
  currency: string;
  expired_reason: string | null;
  expires_at: Timestamp;
  id: string;
  scale: number;
  sender_id: string;
  status: string;
  total_amount: string;
  total_spent: string;
  updated_at: Timestamp;
}

export type MandateRow = Selectable<MandatesTable>;
