/**
 * FRONTEND-CONTRACT D1–D3, A1, A2 over HTTP on the real app and database: user roles (set by
 * admins only), user numbers (given once, in order, also under concurrent registrations, and to
 * users registered before numbers existed), email login (off unless enabled, then a new expiring
 * key per login whose scope follows the role, recorded by `system:auth-login`), `GET /auth/me`,
 * a demotion ending the login's keys, and failed logins spending the auth-failure budget.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { USER_NUMBER_SEQUENCE_STREAM } from '@kob/domain';
import { systemAppendMetadata } from '@kob/event-store';
import { expectErrorEnvelope } from '../http/http-expect';
import { httpCaller, newAdminKey } from '../support/escrow-api';
import { storedEventCount, storedEvents } from '../support/stored-events';
import { startTestApp, type TestApp } from '../support/test-app';
import { numberExistingUsers } from '../../apps/api/src/identity/number-existing-users';

const caller = httpCaller;

const tag = () => randomBytes(4).toString('hex');

describe('email login switched off (the default outside development)', () => {
  let t: TestApp;
  const admin = newAdminKey();
  beforeAll(async () => {
    t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: admin } });
  });
  afterAll(() => t.close());

  it('answers 403 EMAIL_LOGIN_DISABLED for a known email, an unknown one and a bad body alike', async () => {
    const call = caller(t);
    const name = `off-${tag()}`;
    expect(
      (await call('POST', '/users', admin, { username: name, email: `${name}@example.org` }))
        .statusCode,
    ).toBe(201);
    const before = await storedEventCount(t.platform);
    for (const body of [{ email: `${name}@example.org` }, { email: 'nobody@example.org' }, {}]) {
      const res = await call('POST', '/auth/login', null, body);
      expectErrorEnvelope(res, 403, 'EMAIL_LOGIN_DISABLED');
    }
    expect(await storedEventCount(t.platform)).toBe(before);
    expect((await call('GET', '/health', null)).json().email_login_enabled).toBe(false);
  });
});

describe('roles, numbers and email login', () => {
  let t: TestApp;
  let call: ReturnType<typeof caller>;
  const admin = newAdminKey();
  let supportKey: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: admin, AUTH_EMAIL_LOGIN: 'true' },
    });
    call = caller(t);
    supportKey = (
      await call('POST', '/apikeys', admin, { name: 'support', scope: 'support' })
    ).json().key;
  });
  afterAll(() => t.close());

  async function register(over: Record<string, unknown> = {}, key = admin) {
    const name = `u-${tag()}`;
    return call('POST', '/users', key, { username: name, email: `${name}@example.org`, ...over });
  }

  async function login(email: string, extra: Record<string, unknown> = {}, key?: string) {
    return call('POST', '/auth/login', null, { email, ...extra }, key ? { 'x-api-key': key } : {});
  }

  it('numbers users 1, 2, 3… in registration order, role `user` unless an admin sets one', async () => {
    const first = (await register()).json();
    const second = (await register({ role: 'support' })).json();
    expect(first).toMatchObject({ role: 'user', number: 1 });
    expect(second).toMatchObject({ role: 'support', number: 2 });
    const listed = (await call('GET', '/users?limit=200', admin)).json().items;
    expect(listed.find((u: { id: string }) => u.id === second.id)).toMatchObject({
      role: 'support',
      number: 2,
    });
    expect((await call('GET', `/users/${first.id}`, admin)).json()).toMatchObject({ number: 1 });
  });

  it('gives concurrent registrations distinct numbers with no gap', async () => {
    const before = (await storedEvents(t.platform)).filter(
      (e) => e.streamId === USER_NUMBER_SEQUENCE_STREAM,
    ).length;
    const answers = await Promise.all(Array.from({ length: 12 }, () => register()));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    const numbers = answers.map((r) => r.json().number as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 12 }, (_, i) => before + 1 + i));
    const sequence = (await storedEvents(t.platform)).filter(
      (e) => e.streamId === USER_NUMBER_SEQUENCE_STREAM,
    );
    expect(sequence.map((e) => e.data.number)).toEqual(
      Array.from({ length: sequence.length }, (_, i) => i + 1),
    );
  });

  it('lets only admins set a role, and only to a role', async () => {
    expectErrorEnvelope(await register({ role: 'admin' }, supportKey), 403, 'INSUFFICIENT_SCOPE');
    expect((await register({}, supportKey)).json()).toMatchObject({ role: 'user' });
    expectErrorEnvelope(await register({ role: 'advisor' }), 422, 'VALIDATION_ERROR');
    const user = (await register()).json();
    expectErrorEnvelope(
      await call('PATCH', `/users/${user.id}`, supportKey, { role: 'admin' }),
      403,
      'INSUFFICIENT_SCOPE',
    );
    const patched = await call('PATCH', `/users/${user.id}`, admin, { role: 'auditor' });
    expect(patched.json()).toMatchObject({ role: 'auditor', number: user.number });
  });

  it('issues a new expiring sender key per login, recorded by system:auth-login', async () => {
    const user = (await register()).json();
    const started = Date.now();
    const res = await login(user.email.toUpperCase(), {}, 'koba_000000.stale-key-the-browser-kept');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      token_type: 'api_key',
      user: {
        id: user.id,
        number: user.number,
        email: user.email,
        username: user.username,
        role: 'user',
        scopes: ['SENDER', 'PROVIDER'],
        is_active: true,
      },
    });
    expect(body.access_token).toBe(body.token);
    const ttl = Date.parse(body.expires_at) - started;
    expect(ttl).toBeGreaterThan(719 * 60_000);
    expect(ttl).toBeLessThanOrEqual(721 * 60_000);
    const again = (await login(user.email)).json();
    expect(again.token).not.toBe(body.token);
    const me = await call('GET', '/auth/me', body.token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: body.user });
    const issued = (await storedEvents(t.platform)).filter(
      (e) => e.type === 'apikey.issued.v1' && e.data.userId === user.id,
    );
    expect(issued).toHaveLength(2);
    for (const e of issued) {
      expect(e.data).toMatchObject({ name: 'login', scope: 'sender', session: true });
      expect(e.metadata.actor).toEqual({ kind: 'system', name: 'system:auth-login' });
    }
    // A sender key: the user's own reads work, staff routes do not.
    expect((await call('GET', `/users/${user.id}`, body.token)).statusCode).toBe(200);
    expectErrorEnvelope(await call('GET', '/users', body.token), 403, 'INSUFFICIENT_SCOPE');
  });

  it('answers the same 401 for an unknown email and an inactive user, and 400/422 for a bad body', async () => {
    const user = (await register({ is_active: false })).json();
    for (const email of ['nobody-here@example.org', user.email]) {
      expectErrorEnvelope(await login(email), 401, 'INVALID_CREDENTIALS');
    }
    expectErrorEnvelope(await call('POST', '/auth/login', null, {}), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(
      await call('POST', '/auth/login', null, { email: 'a@example.org', password: 'x' }),
      422,
      'VALIDATION_ERROR',
    );
  });

  it("gives each role its own scope, and refuses a scope that is not the role's", async () => {
    const support = (await register({ role: 'support' })).json();
    const auditor = (await register({ role: 'auditor' })).json();
    const sender = (await register()).json();
    const s = (await login(support.email)).json();
    expect(s.user).toMatchObject({ role: 'support', scopes: ['SUPPORT'] });
    expect((await call('GET', '/users', s.token)).statusCode).toBe(200);
    const a = (await login(auditor.email, { scope: 'auditor' })).json();
    expect(a.user).toMatchObject({ role: 'auditor', scopes: ['AUDITOR'] });
    for (const scope of ['sender', 'provider', 'user']) {
      expect((await login(sender.email, { scope })).statusCode).toBe(200);
    }
    expectErrorEnvelope(await login(sender.email, { scope: 'admin' }), 403, 'INSUFFICIENT_SCOPE');
    expectErrorEnvelope(await login(support.email, { scope: 'sender' }), 403, 'INSUFFICIENT_SCOPE');
    expectErrorEnvelope(await login(sender.email, { scope: 'advisor' }), 422, 'VALIDATION_ERROR');
  });

  it('ends the login keys of a demoted user; keys issued by an admin live on', async () => {
    const user = (await register({ role: 'support' })).json();
    const session = (await login(user.email)).json().token;
    const issued = (
      await call('POST', '/apikeys', admin, { name: 'desk', scope: 'support', user_id: user.id })
    ).json().key;
    expect((await call('GET', '/auth/me', session)).statusCode).toBe(200);
    expect((await call('PATCH', `/users/${user.id}`, admin, { role: 'user' })).statusCode).toBe(
      200,
    );
    expectErrorEnvelope(await call('GET', '/auth/me', session), 401, 'UNAUTHORIZED');
    expect((await call('GET', '/auth/me', issued)).json().user).toMatchObject({
      role: 'support',
      scopes: ['SUPPORT'],
    });
    // Promoted back: the same session key works again (its scope maps to the role once more).
    await call('PATCH', `/users/${user.id}`, admin, { role: 'support' });
    expect((await call('GET', '/auth/me', session)).statusCode).toBe(200);
  });

  it('GET /auth/me answers a key without a user with its name and the scope role', async () => {
    expect((await call('GET', '/auth/me', admin)).json()).toEqual({
      user: {
        id: null,
        number: null,
        email: null,
        username: 'bootstrap admin',
        role: 'admin',
        scopes: ['ADMIN'],
        is_active: true,
      },
    });
    expect((await call('GET', '/auth/me', supportKey)).json().user).toMatchObject({
      id: null,
      username: 'support',
      role: 'support',
    });
    expectErrorEnvelope(await call('GET', '/auth/me', null), 401, 'NO_API_KEY');
    expect((await call('GET', '/health', null)).json().email_login_enabled).toBe(true);
  });

  it('numbers users registered before numbers existed once, in registration order', async () => {
    const legacy = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, userId] of legacy.entries()) {
      const name = `legacy-${tag()}`;
      await t.platform.store.appendMulti([
        {
          streamId: `user-${userId}`,
          expectedRevision: 'no_stream',
          events: [
            {
              id: randomUUID(),
              type: 'user.registered.v1',
              data: {
                userId,
                username: name,
                email: `${name}@example.org`,
                isActive: true,
                publicTag: null,
                registeredAt: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(),
              },
              metadata: systemAppendMetadata('system:test'),
            },
          ],
        },
      ]);
    }
    await t.platform.projections.catchUp();
    const read = async (id: string) => (await call('GET', `/users/${id}`, admin)).json();
    expect((await read(legacy[0]!)).number).toBeNull();
    const next = (await register()).json().number as number;
    expect(await numberExistingUsers(t.platform.commands, t.platform.db)).toBe(3);
    await t.platform.projections.catchUp();
    const numbers = await Promise.all(legacy.map(async (id) => (await read(id)).number));
    expect(numbers).toEqual([next + 1, next + 2, next + 3]);
    expect(await numberExistingUsers(t.platform.commands, t.platform.db)).toBe(0);
    const after = (await register()).json().number;
    expect(after).toBe(next + 4);
  });
});

describe('failed logins', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        BOOTSTRAP_ADMIN_API_KEY: newAdminKey(),
        AUTH_EMAIL_LOGIN: 'true',
        RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '3',
      },
    });
  });
  afterAll(() => t.close());

  it('spend the address budget of failed authentications: 429 once it is spent', async () => {
    const call = caller(t);
    for (let i = 0; i < 3; i++) {
      expectErrorEnvelope(
        await call('POST', '/auth/login', null, { email: `guess-${i}@example.org` }),
        401,
        'INVALID_CREDENTIALS',
      );
    }
    const refused = await call('POST', '/auth/login', null, { email: 'guess-4@example.org' });
    expectErrorEnvelope(refused, 429, 'RATE_LIMITED');
    expect(refused.headers['retry-after']).toBeDefined();
  });
});
