/** The `allowlist_entries` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface AllowlistEntriesTable {
  created_at: Timestamp;
  owner_id: string;
  recipient_id: string;
}

export type AllowlistEntryRow = Selectable<AllowlistEntriesTable>;
