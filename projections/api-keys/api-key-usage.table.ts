/** The `api_key_usage` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface ApiKeyUsageTable {
  key_id: string;
  last_used_at: Date;
}

export type ApiKeyUsageRow = Selectable<ApiKeyUsageTable>;
