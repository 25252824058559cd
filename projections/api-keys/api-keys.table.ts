import type { Selectable } from 'kysely';

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  user_id: string | null;
  key_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
  created_at: Date;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
