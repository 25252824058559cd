/** The `allowlist_entries` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface AllowlistEntriesTable {
  created_at: Date;
  owner_id: string;
  recipient_id: string;
}

export type AllowlistEntryRow = Selectable<AllowlistEntriesTable>;
