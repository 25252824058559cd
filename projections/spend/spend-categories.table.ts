/** The `spend_categories` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface SpendCategoriesTable {
  code: string;
  created_at: Timestamp;
  id: string;
  label: string;
  updated_at: Timestamp;
}

export type SpendCategoryRow = Selectable<SpendCategoriesTable>;
