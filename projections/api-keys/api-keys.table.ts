import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  user_id: string | null;
  key_hash: string;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** issued by email login: works only while the user's role maps to `scope` */
  session: boolean;
  created_at: Timestamp;
}

export type ApiKeyRow = Selectable<ApiKeysTable>;
