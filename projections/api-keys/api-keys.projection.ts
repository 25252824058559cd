/**
 * The api_keys read model, which authentication reads: prefix → HMAC of the key, scope, linked
 * user, expiry and revocation. Revocation is applied here before `DELETE /apikeys/{id}` answers.
 */
import type { ApiKeyEvent } from '@kob/domain';
import { columnsFrom, eventProjector, insertOnce, updateById } from '../projector-shell';

export const apiKeysProjection = eventProjector<ApiKeyEvent>(
  { name: 'api_keys', version: 1, tables: ['api_keys'] },
  {
    'apikey.issued.v1': (trx, d) =>
      insertOnce(trx, 'api_keys', {
        id: d.keyId,
        ...columnsFrom(d, ['name', 'prefix', 'scope', 'userId', 'keyHash', 'expiresAt']),
        revoked_at: null,
        session: d.session === true,
        created_at: d.issuedAt,
      }),
    'apikey.revoked.v1': (trx, d) =>
      updateById(trx, 'api_keys', d.keyId, { revoked_at: d.revokedAt }),
  },
);
