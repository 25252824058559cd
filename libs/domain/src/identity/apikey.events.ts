/**
 * API keys. The key itself is shown once and never stored: events carry its HMAC-SHA256 (keyed
 * with API_KEY_SECRET), so the api_keys read model can be rebuilt from events and still verify
 * keys, while the audit trail masks the hash.
 */
import type { Scope } from '@kob/kernel';

export interface ApiKeyIssuedData {
  keyId: string;
  name: string;
  prefix: string;
  scope: Scope;
  userId: string | null;
  keyHash: string;
  expiresAt: string | null;
  issuedAt: string;
  /**
   * Issued by email login (FRONTEND-CONTRACT D1): the key works only while its user's role still
   * maps to its scope (A2). Absent on every other key.
   */
  session?: true;
}

export type ApiKeyEvent =
  | { type: 'apikey.issued.v1'; data: ApiKeyIssuedData }
  | { type: 'apikey.revoked.v1'; data: { keyId: string; revokedAt: string } };
