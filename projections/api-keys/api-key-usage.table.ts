/** The `api_key_usage` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface ApiKeyUsageTable {
  key_id: string;
  last_used_at: Timestamp;
}

export type ApiKeyUsageRow = Selectable<ApiKeyUsageTable>;
