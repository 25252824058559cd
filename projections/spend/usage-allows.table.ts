/** The `usage_allows` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface UsageAllowsTable {
  created_at: Timestamp;
  owner_id: string;
  target_id: string;
  target_kind: string;
}

export type UsageAllowRow = Selectable<UsageAllowsTable>;
