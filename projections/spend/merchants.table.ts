/** The `merchants` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface MerchantsTable {
  category_id: string | null;
  created_at: Date;
  id: string;
  is_certified: boolean;
  name: string;
  updated_at: Date;
}

export type MerchantRow = Selectable<MerchantsTable>;
