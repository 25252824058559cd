/** The `usage_allows` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface UsageAllowsTable {
  created_at: Date;
  owner_id: string;
  target_id: string;
  target_kind: string;
}

export type UsageAllowRow = Selectable<UsageAllowsTable>;
