/**
 * Identity under attack and under failure: revocation and deactivation are in force before the
 * answer on every replica, or the answer says they are not (503 CHANGE_PENDING); keys of users
 * the read model does not know fail closed; only admin sets `public_tag`; look-alike usernames
 * and emails cannot dodge uniqueness; hostile path and query text is a 422, not a 500; a route
 * without an access declaration is closed to everyone; header and config edge cases.
 */
import { randomBytes } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { sql } from 'kysely';
import { ConfigError, loadConfig } from '@kob/config';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from '../http/http-expect';
import { Authenticator } from '../../apps/api/src/auth/authenticator';
import { storedEventCount, storedEvents } from '../support/stored-events';

const ADMIN_KEY = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

/** A route someone forgot to declare access for. */
@Controller('undeclared')
class UndeclaredController {
  @Get()
  open(): { open: true } {
    return { open: true };
  }
}

function client(t: TestApp) {
  return (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    key: string | null,
    body?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
}

describe('identity hardening', () => {
  let t: TestApp;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY },
      controllers: [UndeclaredController],
    });
    call = client(t);
  });
  afterAll(() => t.close());

  async function key(scope: string, userId?: string) {
    const res = await call('POST', '/apikeys', ADMIN_KEY, {
      name: `${scope} key`,
      scope,
      ...(userId ? { user_id: userId } : {}),
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; key: string }>();
  }

  it('refuses a key whose user the read model does not know (fails closed)', async () => {
    const user = (
      await call('POST', '/users', ADMIN_KEY, { username: 'ghost', email: 'ghost@example.org' })
    ).json();
    const k = await key('sender', user.id);
    expect((await call('GET', `/users/${user.id}`, k.key)).statusCode).toBe(200);
    // A users projection that is behind or halted looks like this: no row for the user.
    await sql`DELETE FROM users WHERE id = ${user.id}`.execute(t.platform.db);
    // Changed behind the projections' back: the authenticator's cache of verified rows must be told.
    t.app.get(Authenticator).forgetCachedKeys();
    expectErrorEnvelope(await call('GET', `/users/${user.id}`, k.key), 401, 'UNAUTHORIZED');
  });

  it('lets only admin set public_tag, on creation as on update', async () => {
    const support = await key('support');
    const res = await call('POST', '/users', support.key, {
      username: 'gov1',
      email: 'gov1@example.org',
      public_tag: 'GOV',
    });
    const error = expectErrorEnvelope(res, 403, 'INSUFFICIENT_SCOPE');
    expect(error.details).toMatchObject({ required_scopes: ['admin'] });
    expect(
      (await call('POST', '/users', support.key, { username: 'gov1', email: 'gov1@example.org' }))
        .statusCode,
    ).toBe(201);
    const admin = await call('POST', '/users', ADMIN_KEY, {
      username: 'gov2',
      email: 'gov2@example.org',
      public_tag: 'GOV',
    });
    expect(admin.json()).toMatchObject({ public_tag: 'GOV' });
  });

  it('refuses is_active null (it halted the users read model, fault suite finding), on update as on creation', async () => {
    const tag = randomBytes(4).toString('hex');
    const created = await call('POST', '/users', ADMIN_KEY, {
      username: `null-${tag}`,
      email: `null-${tag}@example.org`,
    });
    expect(created.statusCode).toBe(201);
    const before = await storedEventCount(t.platform);
    expectErrorEnvelope(
      await call('PATCH', `/users/${created.json().id}`, ADMIN_KEY, { is_active: null }),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, {
        username: `null2-${tag}`,
        email: `null2-${tag}@example.org`,
        is_active: null,
      }),
      422,
      'VALIDATION_ERROR',
    );
    expect(await storedEventCount(t.platform)).toBe(before);
    expect(
      (await call('PATCH', `/users/${created.json().id}`, ADMIN_KEY, { is_active: false })).json(),
    ).toMatchObject({ is_active: false });
  });

  it('treats look-alike usernames and emails as the same, or refuses invisible characters', async () => {
    expect(
      (await call('POST', '/users', ADMIN_KEY, { username: 'alice', email: 'alice@example.org' }))
        .statusCode,
    ).toBe(201);
    for (const username of ['ＡＬＩＣＥ', 'ALICE', 'alic\u0065']) {
      expectErrorEnvelope(
        await call('POST', '/users', ADMIN_KEY, {
          username,
          email: `${randomBytes(4).toString('hex')}@example.org`,
        }),
        409,
        'USER_EXISTS',
      );
    }
    for (const username of ['ali\u200bce', 'ali\u202ece', 'ali\u00adce', 'ali\u0007ce', 'ali ce']) {
      expectErrorEnvelope(
        await call('POST', '/users', ADMIN_KEY, {
          username,
          email: `${randomBytes(4).toString('hex')}@example.org`,
        }),
        422,
        'VALIDATION_ERROR',
      );
    }
    expect(
      (
        await call('POST', '/users', ADMIN_KEY, {
          username: 'jose\u0301',
          email: 'jose@example.org',
        })
      ).statusCode,
    ).toBe(201);
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, {
        username: 'jos\u00e9',
        email: 'jose2@example.org',
      }),
      409,
      'USER_EXISTS',
    );
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, { username: 'alice2', email: 'ａlice@example.org' }),
      409,
      'USER_EXISTS',
    );
    expectErrorEnvelope(
      await call('POST', '/users', ADMIN_KEY, {
        username: 'alice3',
        email: 'ali\u200bce@example.org',
      }),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('names reservations by a keyed hash: the stream id of an email cannot be guessed', async () => {
    await call('POST', '/users', ADMIN_KEY, { username: 'pat', email: 'pat@example.org' });
    const rows = (await storedEvents(t.platform))
      .filter((e) => e.streamId.startsWith('email-'))
      .map((e) => ({ stream_id: e.streamId }));
    const plain = `email-${require('node:crypto').createHash('sha256').update('pat@example.org').digest('hex')}`;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.stream_id)).not.toContain(plain);
  });

  it('answers hostile path and query text with 422, never 500', async () => {
    const auditor = await key('auditor');
    for (const url of [
      '/audit/events?type=a%00',
      '/audit/events?actor_prefix=%00',
      '/audit/streams/a%00b',
      '/users/%00',
    ]) {
      const res = await call('GET', url, auditor.key);
      expect([404, 422]).toContain(res.statusCode);
      if (res.statusCode === 422) expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
    }
    expectErrorEnvelope(
      await call('GET', '/users?offset=99999999999999999999', ADMIN_KEY),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await call('GET', '/apikeys?offset=99999999999999999999', ADMIN_KEY),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('closes a route that declares no access rule, to admin too', async () => {
    expectErrorEnvelope(
      await call('GET', '/undeclared', ADMIN_KEY),
      403,
      'ROUTE_ACCESS_UNDECLARED',
    );
    expectErrorEnvelope(await call('GET', '/undeclared', null), 403, 'ROUTE_ACCESS_UNDECLARED');
  });

  it('lets a present X-API-Key win even when blank, and accepts upper-case ids', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/users',
      headers: { 'x-api-key': '  ', authorization: `Bearer ${ADMIN_KEY}` },
    });
    expectErrorEnvelope(res, 401, 'NO_API_KEY');
    const user = (
      await call('POST', '/users', ADMIN_KEY, { username: 'upper', email: 'upper@example.org' })
    ).json();
    const patched = await call('PATCH', `/users/${String(user.id).toUpperCase()}`, ADMIN_KEY, {
      public_tag: 'ONG',
    });
    expect(patched.json()).toMatchObject({ id: user.id, public_tag: 'ONG' });
  });
});

describe('revocation when the projections are elsewhere (worker mode)', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await testDatabase();
  });
  afterAll(() => tdb.close());

  it('answers 503 CHANGE_PENDING until a worker applied it, then 204, and every replica refuses the key', async () => {
    // Replicas share API_KEY_SECRET (in test it is otherwise random per process).
    const secret = { API_KEY_SECRET: randomBytes(32).toString('hex') };
    const a = await startTestApp({
      database: tdb,
      env: { ...secret, BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY },
    });
    const callA = client(a);
    const k = (
      await callA('POST', '/apikeys', ADMIN_KEY, { name: 'to revoke', scope: 'support' })
    ).json();
    await a.closeApp();
    // This replica runs no projections (worker mode) and no worker is running yet.
    const worker = await startTestApp({
      database: tdb,
      env: { ...secret, PROJECTIONS_MODE: 'worker', INLINE_PROJECTION_WAIT_MS: '100' },
      startProjections: false,
    });
    const callW = client(worker);
    expect((await callW('GET', '/users', k.key)).statusCode).toBe(200);
    const pending = await callW('DELETE', `/apikeys/${k.id}`, ADMIN_KEY);
    expectErrorEnvelope(pending, 503, 'CHANGE_PENDING');
    // A second replica (inline) projects; the retried DELETE then answers 204.
    const b = await startTestApp({ database: tdb, env: secret });
    const callB = client(b);
    expect((await callW('DELETE', `/apikeys/${k.id}`, ADMIN_KEY)).statusCode).toBe(204);
    expectErrorEnvelope(await callB('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    expectErrorEnvelope(await callW('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    await b.closeApp();
    await worker.closeApp();
  });

  it('answers a new key in worker mode only once the key read models have it, so its first use works (fault suite finding)', async () => {
    const own = await testDatabase();
    const secret = { API_KEY_SECRET: randomBytes(32).toString('hex') };
    // The admin key, bootstrapped and projected by a replica that projects, which then stops.
    const first = await startTestApp({
      database: own,
      env: { ...secret, BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY },
    });
    await first.closeApp();
    const api = await startTestApp({
      database: own,
      env: { ...secret, PROJECTIONS_MODE: 'worker', INLINE_PROJECTION_WAIT_MS: '100' },
      startProjections: false,
    });
    const call = client(api);
    // No worker yet: the key is issued (recorded) but cannot work yet, and the answer says so.
    const early = await call('POST', '/apikeys', ADMIN_KEY, { name: 'early', scope: 'support' });
    expect(early.statusCode).toBe(201);
    expect(early.headers['x-projection-pending']).toBe('true');
    expectErrorEnvelope(await call('GET', '/users', early.json().key), 401, 'UNAUTHORIZED');
    // A projecting replica (standing in for a worker) runs: issue answers once applied, and works at once.
    const projecting = await startTestApp({ database: own, env: secret });
    try {
      for (let i = 0; i < 5; i++) {
        const issued = await call('POST', '/apikeys', ADMIN_KEY, {
          name: `fresh-${i}`,
          scope: 'support',
        });
        expect(issued.statusCode).toBe(201);
        expect(issued.headers['x-projection-pending']).toBeUndefined();
        expect((await call('GET', '/users', issued.json().key)).statusCode).toBe(200);
      }
      expect((await call('GET', '/users', early.json().key)).statusCode).toBe(200);
    } finally {
      await projecting.closeApp();
      await api.closeApp();
      await own.close();
    }
  });
});

describe('identity configuration', () => {
  it('refuses a bootstrap key longer than keys can be, and a short legacy key', () => {
    const long = `koba_abcdef.${'a'.repeat(300)}`;
    expect(() => loadConfig({ APP_ENV: 'test', BOOTSTRAP_ADMIN_API_KEY: long })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ APP_ENV: 'test', DEV_API_KEY: 'short' })).toThrow(/DEV_API_KEY/);
  });
});
