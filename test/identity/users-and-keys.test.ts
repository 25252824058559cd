/**
 * Users, API keys and authentication over HTTP, on the real app and database: the bootstrap
 * admin key, users with unique usernames and emails, keys shown once and stored as an HMAC,
 * both key headers, expiry, revocation and deactivation effective from the next request, the
 * legacy key only in development, scopes with 403 INSUFFICIENT_SCOPE, the actor on every event,
 * `last_used_at`, and no key ever in the logs.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { testDatabase } from '../support/test-db';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from '../http/http-expect';
import { Authenticator } from '../../apps/api/src/auth/authenticator';
import { storedEventCount } from '../support/stored-events';

const ADMIN_KEY = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

describe('users, API keys and authentication', () => {
  let t: TestApp;
  const issued: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY } });
  });
  afterAll(() => t.close());

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    key: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  async function newUser(name: string) {
    const res = await call('POST', '/users', ADMIN_KEY, {
      username: name,
      email: `${name}@example.org`,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }

  async function newKey(scope: string, userId: string | null = null, days_valid?: number | null) {
    const res = await call('POST', '/apikeys', ADMIN_KEY, {
      name: `${scope} key`,
      scope,
      ...(userId ? { user_id: userId } : {}),
      ...(days_valid !== undefined ? { days_valid } : {}),
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ id: string; key: string; prefix: string }>();
    issued.push(body.key);
    return body;
  }

  it('bootstraps the admin key from BOOTSTRAP_ADMIN_API_KEY, once', async () => {
    expect((await call('GET', '/apikeys', ADMIN_KEY)).statusCode).toBe(200);
    const bootstrapped = await storedEventCount(
      t.platform,
      (e) => e.type === 'apikey.issued.v1' && e.metadata.actor.name === 'system:bootstrap',
    );
    expect(bootstrapped).toBe(1);
  });

  it('registers users with unique usernames and emails, honouring Idempotency-Key', async () => {
    const created = await call(
      'POST',
      '/users',
      ADMIN_KEY,
      { username: 'Alice', email: 'alice@example.org' },
      { 'idempotency-key': 'u-1' },
    );
    expect(created.statusCode).toBe(201);
    const alice = created.json();
    expect(alice).toMatchObject({
      username: 'Alice',
      email: 'alice@example.org',
      is_active: true,
      public_tag: null,
    });
    const again = await call(
      'POST',
      '/users',
      ADMIN_KEY,
      { username: 'Alice', email: 'alice@example.org' },
      { 'idempotency-key': 'u-1' },
    );
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(alice);
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, { username: 'alice', email: 'other@example.org' }),
      409,
      'USER_EXISTS',
    );
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, { username: 'alice2', email: 'ALICE@example.org' }),
      409,
      'USER_EXISTS',
    );
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, { username: 'bob', email: 'not-an-email' }),
      422,
      'VALIDATION_ERROR',
    );
    const got = await call('GET', `/users/${alice.id}`, ADMIN_KEY);
    expect(got.json()).toEqual(alice);
    expectErrorEnvelope(
      await call('GET', '/users/00000000-0000-4000-8000-000000000000', ADMIN_KEY),
      404,
      'USER_NOT_FOUND',
    );
    const list = await call('GET', '/users?limit=1', ADMIN_KEY);
    expect(list.json()).toMatchObject({
      limit: 1,
      offset: 0,
      items: [expect.objectContaining({ id: expect.any(String) })],
    });
    expect(list.json().total).toBeGreaterThanOrEqual(1);
  });

  it('issues keys shown once, stored as an HMAC, usable at once with either header', async () => {
    const k = await newKey('support');
    expect(k.key).toMatch(/^koba_[0-9a-f]{6}\.[A-Za-z0-9_-]{43}$/);
    expect(k.key.startsWith(`${k.prefix}.`)).toBe(true);
    const listed = await call('GET', '/apikeys', ADMIN_KEY);
    expect(listed.body).not.toContain(k.key.split('.')[1]);
    expect(listed.body).not.toContain('key_hash');
    const { rows } = await sql<{
      key_hash: string;
    }>`SELECT key_hash FROM api_keys WHERE id = ${k.id}`.execute(t.platform.db);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const stored = await t.platform.store.readStream(`apikey-${k.id}`);
    expect(JSON.stringify(stored.map((e) => [e.data, e.metadata]))).not.toContain(
      k.key.split('.')[1],
    );
    expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
    const bearer = await t.app.inject({
      method: 'GET',
      url: '/users',
      headers: { authorization: `Bearer ${k.key}` },
    });
    expect(bearer.statusCode).toBe(200);
    // X-API-Key wins over Authorization.
    const both = await t.app.inject({
      method: 'GET',
      url: '/users',
      headers: {
        authorization: `Bearer ${k.key}`,
        'x-api-key': 'koba_000000.wrongwrongwrongwrongwrongwrongwrong',
      },
    });
    expectErrorEnvelope(both, 401, 'UNAUTHORIZED');
    const lowercase = await t.app.inject({
      method: 'GET',
      url: '/users',
      headers: { authorization: `bearer ${k.key}` },
    });
    expectErrorEnvelope(lowercase, 401, 'NO_API_KEY');
    expectErrorEnvelope(
      await call('GET', '/users', `${k.prefix}.${'x'.repeat(43)}`),
      401,
      'UNAUTHORIZED',
    );
    expectErrorEnvelope(await call('GET', '/users', 'not-a-key'), 401, 'UNAUTHORIZED');
    expectErrorEnvelope(await call('GET', '/users', null), 401, 'NO_API_KEY');
  });

  it('refuses scopes a route does not allow, naming the scopes it needs', async () => {
    const support = await newKey('support');
    const res = await call('POST', '/apikeys', support.key, { name: 'x', scope: 'admin' });
    const error = expectErrorEnvelope(res, 403, 'INSUFFICIENT_SCOPE');
    expect(error.message).toContain('admin');
    expect(error.details).toMatchObject({ required_scopes: ['admin'], scope: 'support' });
    const auditor = await newKey('auditor');
    expectErrorEnvelope(
      await call('POST', '/users', auditor.key, { username: 'z', email: 'z@example.org' }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expect((await call('GET', '/apikeys', auditor.key)).statusCode).toBe(200);
  });

  it('lets a sender read only its own user', async () => {
    const userId = await newUser('sam');
    const sender = await newKey('sender', userId);
    expect((await call('GET', `/users/${userId}`, sender.key)).json()).toMatchObject({
      id: userId,
      username: 'sam',
    });
    const other = await newUser('olga');
    expectErrorEnvelope(await call('GET', `/users/${other}`, sender.key), 403, 'NOT_OWNER');
    const orphan = await newKey('sender');
    expectErrorEnvelope(await call('GET', `/users/${userId}`, orphan.key), 403, 'KEY_HAS_NO_USER');
    expectErrorEnvelope(
      await call('POST', '/apikeys', ADMIN_KEY, {
        name: 'x',
        scope: 'sender',
        user_id: '00000000-0000-4000-8000-000000000000',
      }),
      404,
      'USER_NOT_FOUND',
    );
  });

  it('refuses a revoked key from the very next request', async () => {
    const k = await newKey('support');
    expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
    const del = await call('DELETE', `/apikeys/${k.id}`, ADMIN_KEY);
    expect(del.statusCode).toBe(204);
    expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    const shown = await call('GET', `/apikeys/${k.id}`, ADMIN_KEY);
    expect(shown.json()).toMatchObject({
      id: k.id,
      is_active: false,
      revoked_at: expect.any(String),
    });
    expect((await call('DELETE', `/apikeys/${k.id}`, ADMIN_KEY)).statusCode).toBe(204);
    expectErrorEnvelope(
      await call('DELETE', '/apikeys/00000000-0000-4000-8000-000000000000', ADMIN_KEY),
      404,
      'APIKEY_NOT_FOUND',
    );
  });

  it('stops the keys of a deactivated user from the next request, and restores them', async () => {
    const userId = await newUser('dora');
    const k = await newKey('sender', userId);
    expect((await call('GET', `/users/${userId}`, k.key)).statusCode).toBe(200);
    const off = await call('PATCH', `/users/${userId}`, ADMIN_KEY, {
      is_active: false,
      public_tag: 'ONG',
    });
    expect(off.json()).toMatchObject({ is_active: false, public_tag: 'ONG' });
    expectErrorEnvelope(await call('GET', `/users/${userId}`, k.key), 401, 'UNAUTHORIZED');
    expect(
      (await call('PATCH', `/users/${userId}`, ADMIN_KEY, { is_active: true })).statusCode,
    ).toBe(200);
    expect((await call('GET', `/users/${userId}`, k.key)).statusCode).toBe(200);
    expectErrorEnvelope(
      await call('PATCH', `/users/${userId}`, ADMIN_KEY, { username: 'x' }),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('refuses an expired key', async () => {
    const k = await newKey('support', null, 1);
    expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
    // Time passing, simulated on the read model the check reads.
    await sql`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = ${k.id}`.execute(
      t.platform.db,
    );
    // Changed behind the projections' back: the authenticator's cache of verified rows must be told.
    t.app.get(Authenticator).forgetCachedKeys();
    expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    expect((await call('GET', `/apikeys/${k.id}`, ADMIN_KEY)).json()).toMatchObject({
      is_active: false,
      revoked_at: null,
    });
  });

  it('puts the caller on every event it causes and records last_used_at', async () => {
    const k = await newKey('support');
    const res = await call('POST', '/users', k.key, { username: 'eve', email: 'eve@example.org' });
    const events = await t.platform.store.readStream(`user-${res.json().id}`);
    expect(events[0]!.metadata.actor).toEqual({
      kind: 'api_key',
      keyId: k.id,
      keyPrefix: k.prefix,
      scope: 'support',
      userId: null,
    });
    const shown = await call('GET', `/apikeys/${k.id}`, ADMIN_KEY);
    expect(shown.json().last_used_at).toEqual(expect.any(String));
  });

  it('never logs a key', () => {
    const leaks = [ADMIN_KEY, ...issued].flatMap((key) =>
      t.logs.filter((l) => l.includes(key.split('.')[1]!)),
    );
    expect(issued.length).toBeGreaterThan(5);
    expect(leaks).toEqual([]);
  });
});

describe('the legacy DEV_API_KEY', () => {
  const LEGACY = 'legacy-dev-key-for-tests-only';

  it('is refused outside development', async () => {
    const t = await startTestApp({ env: { DEV_API_KEY: LEGACY } });
    try {
      const res = await t.app.inject({
        method: 'GET',
        url: '/users',
        headers: { 'x-api-key': LEGACY },
      });
      expectErrorEnvelope(res, 401, 'LEGACY_KEY_FORBIDDEN');
    } finally {
      await t.close();
    }
  });

  it('acts as admin in development, with the legacy actor on its events', async () => {
    const t = await startTestApp({
      // A given bootstrap key: development would otherwise print a generated one on stdout.
      env: {
        APP_ENV: 'development',
        DEV_API_KEY: LEGACY,
        API_KEY_SECRET: randomBytes(32).toString('hex'),
        BOOTSTRAP_ADMIN_API_KEY: `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`,
      },
    });
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/users',
        headers: { 'x-api-key': LEGACY, 'content-type': 'application/json' },
        payload: JSON.stringify({ username: 'leg', email: 'leg@example.org' }),
      });
      expect(res.statusCode).toBe(201);
      const [event] = await t.platform.store.readStream(`user-${res.json().id}`);
      expect(event!.metadata.actor).toEqual({
        kind: 'legacy',
        keyPrefix: 'legacy',
        scope: 'admin',
      });
    } finally {
      await t.close();
    }
  });
});

describe('bootstrapping the admin key', () => {
  it('happens exactly once when several instances start together on one database', async () => {
    const tdb = await testDatabase();
    try {
      const apps = await Promise.all([0, 1, 2].map(() => startTestApp({ database: tdb })));
      const issued = (e: { type: string }) => e.type === 'apikey.issued.v1';
      expect(await storedEventCount(apps[0]!.platform, issued)).toBe(1);
      for (const a of apps) await a.closeApp();
      // A later start finds the reservation and issues nothing.
      const again = await startTestApp({ database: tdb });
      expect(await storedEventCount(again.platform, issued)).toBe(1);
      await again.closeApp();
    } finally {
      await tdb.close();
    }
  });
});
