/**
 * API key material: `koba_<6 hex>.<43 url-safe chars>` (a public prefix that names the key, and
 * 32 random bytes). Only HMAC-SHA256(API_KEY_SECRET, key) is ever stored; comparison is in
 * constant time, and a lookup that finds no key still pays for one comparison.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { assert } from '@kob/kernel';

/** The one key format (config validates BOOTSTRAP_ADMIN_API_KEY against the same shape). */
export const API_KEY_RE = /^(koba_[0-9a-f]{6})\.([A-Za-z0-9_-]{32,256})$/;

export interface GeneratedKey {
  prefix: string;
  key: string;
}

export function generateApiKey(): GeneratedKey {
  const prefix = `koba_${randomBytes(3).toString('hex')}`;
  return { prefix, key: `${prefix}.${randomBytes(32).toString('base64url')}` };
}

/** The prefix of a well-formed key, else null. */
export function apiKeyPrefix(key: string): string | null {
  const m = API_KEY_RE.exec(key);
  return m ? m[1]! : null;
}

export function hashApiKey(key: string, secret: string): string {
  // A process loaded without API keys (the CLI, the worker) has no secret: never hash with none.
  assert(secret.length > 0, 'API_KEY_SECRET is not loaded in this process');
  return createHmac('sha256', secret).update(key, 'utf8').digest('hex');
}

const DUMMY_HASH = '0'.repeat(64);

/** Constant-time check of a presented key against a stored hash (or a dummy when none). */
export function apiKeyMatches(key: string, storedHash: string | null, secret: string): boolean {
  const presented = Buffer.from(hashApiKey(key, secret), 'hex');
  const stored = Buffer.from(
    storedHash && /^[0-9a-f]{64}$/.test(storedHash) ? storedHash : DUMMY_HASH,
    'hex',
  );
  return timingSafeEqual(presented, stored) && storedHash !== null;
}

/** Constant-time equality of two strings of possibly different lengths (the legacy key). */
export function sameSecret(a: string, b: string): boolean {
  const ha = createHmac('sha256', 'kobatela-compare').update(a).digest();
  const hb = createHmac('sha256', 'kobatela-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}
