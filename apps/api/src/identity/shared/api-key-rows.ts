/** The `api_keys` rows as the key routes read them: with last use and the linked user's state. */
import type { ReadModelsDb } from '../../platform/platform.providers';

export function apiKeyRows(db: ReadModelsDb) {
  return db
    .selectFrom('api_keys as k')
    .leftJoin('api_key_usage as u', 'u.key_id', 'k.id')
    .leftJoin('users as usr', 'usr.id', 'k.user_id')
    .select([
      'k.id',
      'k.name',
      'k.prefix',
      'k.scope',
      'k.user_id',
      'k.created_at',
      'k.expires_at',
      'k.revoked_at',
      'u.last_used_at',
      'usr.is_active as user_active',
    ]);
}
