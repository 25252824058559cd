/** The `merchants` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface MerchantsTable {
  category_id: string | null;
  created_at: Timestamp;
  id: string;
  is_certified: boolean;
  name: string;
  updated_at: Timestamp;
}

export type MerchantRow = Selectable<MerchantsTable>;
