/** The `spend_categories` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface SpendCategoriesTable {
  code: string;
  created_at: Date;
  id: string;
  label: string;
  updated_at: Date;
}

export type SpendCategoryRow = Selectable<SpendCategoriesTable>;
