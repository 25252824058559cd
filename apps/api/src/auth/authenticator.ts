/**
 * Turns the key a request presents into an Actor (API-RULES.md §1, KOBATELA-SPEC §1.1 fixed):
 * `X-API-Key` wins over `Authorization: Bearer <key>`; the key is looked up by its prefix in the
 * api_keys read model and checked by HMAC in constant time; revoked, expired, or belonging to
 * an inactive user → 401 UNAUTHORIZED. The legacy DEV_API_KEY works only in development.
 *
 * Revocation is also remembered in this process (it is permanent, so that can never go stale);
 * deactivation relies on the read model alone, which the request that changes it waits for, so
 * no process-local flag can outlive another replica's reactivation.
 *
 * With `API_KEY_CACHE=true` (a single API process running the projections inline), rows looked up
 * are cached per prefix: the cache is emptied whenever this process's api_keys or users projector
 * applies an event of keys or users, is rebuilt, or finds a batch applied by another runner, so a
 * cached row never outlives a change this process's read model has, the rule revocation answers
 * by (API-RULES.md §6). A lookup that raced such a change is not cached, and nothing is used from
 * the cache while this process is not itself applying the api_keys and users batches (halted, a
 * newer version owns them, a rebuild). The HMAC check, expiry and the revoked set apply on every
 * request, cached or not. Off by default: with several API replicas, a change applied by one
 * reaches another's cache only at its next projection round (25 ms idle polling); the cache
 * turns itself off for good the first time this process finds a batch another runner applied.
 * In worker mode it is never on.
 */
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { sql } from 'kysely';
import type { FastifyRequest } from 'fastify';
import { apiKeyMatches, apiKeyPrefix, sameSecret } from '@kob/auth';
import { USER_ROLES, type UserRole, scopeOfRole } from '@kob/domain';
import type { Actor, Scope } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { ApiError } from '../http/api-error';
import { PLATFORM } from '../tokens';

const USAGE_WRITE_INTERVAL_MS = 60_000;
const USAGE_MEMORY_MAX = 100_000;
const KEY_CACHE_MAX = 10_000;
/** Projectors whose tables the key lookup reads, and the events that change those rows. */
const KEY_PROJECTORS = new Set(['api_keys', 'users']);
const KEY_EVENT = /^(apikey|user)\./;

interface KeyRow {
  id: string;
  prefix: string;
  key_hash: string;
  scope: Scope;
  user_id: string | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  session: boolean;
  user_active: boolean | null;
  user_role: string | null;
}

/** A login's key lives while its user's role still logs in with the key's scope (A2). */
function sessionStillMatches(row: KeyRow): boolean {
  const role = row.user_role as UserRole | null;
  return role !== null && USER_ROLES.includes(role) && scopeOfRole(role) === row.scope;
}

export function presentedKey(req: FastifyRequest): string | null {
  const header = req.headers['x-api-key'];
  // A present X-API-Key wins, even blank (then there is no key), over any Authorization header.
  if (header !== undefined) return (Array.isArray(header) ? header[0] : header)?.trim() || null;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
    const token = auth.slice('Bearer '.length).trim();
    if (token) return token;
  }
  return null;
}

const unauthorized = () => new ApiError(401, 'UNAUTHORIZED', 'Invalid or expired API key');

/** An API key by its prefix, with its user's state (`Authenticator.query`). */
const KEY_LOOKUP = `
  SELECT k.id, k.prefix, k.key_hash, k.scope, k.user_id, k.expires_at, k.revoked_at, k.session,
         u.is_active AS user_active, u.role AS user_role
  FROM api_keys k LEFT JOIN users u ON u.id = k.user_id
  WHERE k.prefix = $1`;

@Injectable()
export class Authenticator implements OnModuleDestroy {
  private readonly revokedKeys = new Set<string>();
  private readonly usageWrittenAt = new Map<string, number>();
  private readonly cache = new Map<string, KeyRow | null>();
  /** Bumped at every change of keys or users this process's projections apply. */
  private generation = 0;
  private readonly unsubscribe: () => void;

  constructor(@Inject(PLATFORM) private readonly platform: Platform) {
    this.cacheable = platform.config.apiKeyCache && platform.config.projectionsMode === 'inline';
    this.unsubscribe = this.cacheable
      ? platform.projections.onApplied((projector, events, cause) => {
          if (cause === 'moved') {
            // Another runner projects into this database (a second replica): its changes reach
            // this cache only when this process next tries a batch, so it is not safe: off.
            this.cacheable = false;
            this.forgetCachedKeys();
          } else if (
            KEY_PROJECTORS.has(projector) &&
            (events.length === 0 || events.some((e) => KEY_EVENT.test(e.type)))
          ) {
            this.forgetCachedKeys();
          }
        })
      : () => undefined;
  }

  /** Off when not asked for, in worker mode, and for good once another runner shows up. */
  private cacheable: boolean;

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /** Drops the cached rows: for whoever changes the read models behind the projections' back. */
  forgetCachedKeys(): void {
    this.generation++;
    this.cache.clear();
  }

  async authenticate(req: FastifyRequest): Promise<Actor> {
    const key = presentedKey(req);
    if (!key) throw new ApiError(401, 'NO_API_KEY', 'API key required.');
    const { config } = this.platform;
    if (config.devApiKey && sameSecret(key, config.devApiKey)) {
      if (config.appEnv !== 'development') {
        throw new ApiError(401, 'LEGACY_KEY_FORBIDDEN', 'Legacy dev key disabled.');
      }
      return { kind: 'legacy', keyPrefix: 'legacy', scope: 'admin' };
    }
    const prefix = apiKeyPrefix(key);
    const row = prefix ? await this.lookup(prefix) : undefined;
    // Always one HMAC comparison, found or not, so timing does not reveal which prefixes exist.
    const matches = apiKeyMatches(key, row?.key_hash ?? null, config.apiKeySecret);
    if (!row || !matches) throw unauthorized();
    if (row.revoked_at || this.revokedKeys.has(row.id)) throw unauthorized();
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) throw unauthorized();
    // Fail closed: a key linked to a user works only while that user is known to be active.
    // (Deactivation answers only once the users read model has it: no process-local flag that
    // another replica's reactivation could leave stale.)
    if (row.user_id && row.user_active !== true) throw unauthorized();
    // A key issued by email login ends when its user's role no longer maps to its scope.
    if (row.session && (!row.user_id || !sessionStillMatches(row))) throw unauthorized();
    this.touch(row.id);
    return {
      kind: 'api_key',
      keyId: row.id,
      keyPrefix: row.prefix,
      scope: row.scope,
      userId: row.user_id,
    };
  }

  /** Called by the revoke and deactivate commands before they answer. */
  keyRevoked(keyId: string): void {
    this.revokedKeys.add(keyId);
  }

  private async lookup(prefix: string): Promise<KeyRow | undefined> {
    // Only while this process itself keeps both read models the lookup reads up to date.
    const usable =
      this.cacheable && [...KEY_PROJECTORS].every((p) => this.platform.projections.runsHere(p));
    if (usable && this.cache.has(prefix)) return this.cache.get(prefix) ?? undefined;
    const generation = this.generation;
    const row = await this.query(prefix);
    // Not cached if a key or user change was applied while the row was being read.
    if (usable && generation === this.generation) {
      if (this.cache.size >= KEY_CACHE_MAX) this.cache.clear();
      this.cache.set(prefix, row ?? null);
    }
    return row;
  }

  private async query(prefix: string): Promise<KeyRow | undefined> {
    // A named statement: PostgreSQL plans it once per connection instead of once per request
    // (planning took four times its execution); without the key cache (the default, and always
    // when the read models are projected elsewhere) every request reads its key.
    const res = await this.platform.pool.query<KeyRow>({
      name: 'kobatela-api-key',
      text: KEY_LOOKUP,
      values: [prefix],
    });
    return res.rows[0];
  }

  /** last_used_at: at most one write a minute per key, never an event, never in the way. */
  private touch(keyId: string): void {
    const now = Date.now();
    const last = this.usageWrittenAt.get(keyId) ?? 0;
    if (now - last < USAGE_WRITE_INTERVAL_MS) return;
    if (this.usageWrittenAt.size >= USAGE_MEMORY_MAX) this.usageWrittenAt.clear();
    this.usageWrittenAt.set(keyId, now);
    void sql`
      INSERT INTO api_key_usage (key_id, last_used_at) VALUES (${keyId}, now())
      ON CONFLICT (key_id) DO UPDATE SET last_used_at = excluded.last_used_at
      WHERE api_key_usage.last_used_at < now() - interval '1 minute'`
      .execute(this.platform.db)
      .catch(() => undefined);
  }
}
