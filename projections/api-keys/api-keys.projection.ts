/**
 * The api_keys read model, which authentication reads: prefix → HMAC of the key, scope, linked
 * user, expiry and revocation. Revocation is applied here before `DELETE /apikeys/{id}` answers.
 */
import type { ApiKeyEvent } from '@kob/domain';
import { eventProjector, insertOnce } from '../projector-shell';

export const apiKeysProjection = eventProjector<ApiKeyEvent>(
  { name: 'api_keys', version: 1, tables: ['api_keys'] },
  async (trx, e) => {
    switch (e.type) {
      case 'apikey.issued.v1':
        await insertOnce(trx, 'api_keys', {
          id: e.data.keyId,
          name: e.data.name,
          prefix: e.data.prefix,
          scope: e.data.scope,
          user_id: e.data.userId,
          key_hash: e.data.keyHash,
          expires_at: e.data.expiresAt,
          revoked_at: null,
          created_at: e.data.issuedAt,
        });
        break;
      case 'apikey.revoked.v1':
        await trx
          .updateTable('api_keys')
          .set({ revoked_at: e.data.revokedAt })
          .where('id', '=', e.data.keyId)
          .execute();
        break;
      default:
        break;
    }
  },
);
