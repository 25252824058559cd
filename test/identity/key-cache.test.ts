/**
 * The authenticator's cache of verified API-key rows (API_KEY_CACHE=true, inline projections): a row read once is
 * reused, and it never outlives a change of keys or users this process's projections apply. A
 * revoked key is refused from the revoke's answer on; a deactivated user's key likewise; a key
 * or user event of any kind empties the cache (shown by removing a row behind the projections'
 * back: the cached row serves until the next key event, then the read model decides again).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { decodePosition } from '@kob/event-store';
import { expectErrorEnvelope } from '../http/http-expect';
import { startTestApp, type TestApp } from '../support/test-app';

const ADMIN_KEY = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;
/** One secret for both replicas of the last test (keys are checked by HMAC with it). */
const API_KEY_SECRET = randomBytes(32).toString('hex');

let t: TestApp;
const call = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  key: string,
  body?: unknown,
) =>
  t.app.inject({
    method,
    url,
    headers: {
      'x-api-key': key,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  t = await startTestApp({
    env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY, API_KEY_CACHE: 'true', API_KEY_SECRET },
  });
});
afterAll(() => t.close());

async function supportKey(): Promise<{ id: string; key: string }> {
  const res = await call('POST', '/apikeys', ADMIN_KEY, { name: 'support', scope: 'support' });
  expect(res.statusCode).toBe(201);
  return res.json();
}

it('reuses a verified row until a key or user event is applied, then reads the model again', async () => {
  const k = await supportKey();
  expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
  // Behind the projections' back: the cached row still answers …
  await sql`DELETE FROM api_keys WHERE id = ${k.id}`.execute(t.platform.db);
  expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
  // … until any key event is applied here (another key issued), which empties the cache.
  await supportKey();
  expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
});

it('is off unless asked for: each request reads the model', async () => {
  const plain = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY } });
  try {
    const key = (
      await plain.app.inject({
        method: 'POST',
        url: '/apikeys',
        headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 's', scope: 'support' }),
      })
    ).json();
    const get = () =>
      plain.app.inject({ method: 'GET', url: '/users', headers: { 'x-api-key': key.key } });
    expect((await get()).statusCode).toBe(200);
    await sql`DELETE FROM api_keys WHERE id = ${key.id}`.execute(plain.platform.db);
    expectErrorEnvelope(await get(), 401, 'UNAUTHORIZED');
  } finally {
    await plain.close();
  }
});

it('refuses a revoked key from the revoke answer on', async () => {
  const k = await supportKey();
  expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
  expect((await call('DELETE', `/apikeys/${k.id}`, ADMIN_KEY)).statusCode).toBeLessThan(300);
  expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
});

it("refuses a deactivated user's key from the deactivation answer on", async () => {
  const user = (
    await call('POST', '/users', ADMIN_KEY, {
      username: `u-${randomBytes(3).toString('hex')}`,
      email: `u-${randomBytes(3).toString('hex')}@example.org`,
    })
  ).json();
  const key = (
    await call('POST', '/apikeys', ADMIN_KEY, { name: 'sender', scope: 'sender', user_id: user.id })
  ).json();
  expect((await call('GET', `/users/${user.id}`, key.key)).statusCode).toBe(200);
  expect(
    (await call('PATCH', `/users/${user.id}`, ADMIN_KEY, { is_active: false })).statusCode,
  ).toBe(200);
  expectErrorEnvelope(await call('GET', `/users/${user.id}`, key.key), 401, 'UNAUTHORIZED');
  expect(
    (await call('PATCH', `/users/${user.id}`, ADMIN_KEY, { is_active: true })).statusCode,
  ).toBe(200);
  expect((await call('GET', `/users/${user.id}`, key.key)).statusCode).toBe(200);
});

// Last: it turns this app's cache off for good.
it('empties the cache, and turns it off, when another replica applied the revocation first (its batch found "moved")', async () => {
  const replica = await startTestApp({
    env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY, API_KEY_CACHE: 'true', API_KEY_SECRET },
    database: t.tdb,
  });
  try {
    const k = await supportKey();
    expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
    // Revoked through the other replica while this one's runner is busy elsewhere (stopped): the
    // other applies it and answers; this one does not use its cache while it is not projecting.
    await t.platform.projections.stop();
    const revoke = await replica.app.inject({
      method: 'DELETE',
      url: `/apikeys/${k.id}`,
      headers: { 'x-api-key': ADMIN_KEY },
    });
    expect(revoke.statusCode).toBeLessThan(300);
    expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    // This process's runner then finds the batch applied by the other one, and forgets its rows.
    t.platform.projections.start();
    const position = decodePosition(String(revoke.headers['x-event-position']))!;
    expect(await t.platform.projections.waitFor(position, 10_000)).toBe(true);
    expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
    // Another runner exists: the cache has turned itself off, each request reads the model.
    const k2 = await supportKey();
    expect((await call('GET', '/users', k2.key)).statusCode).toBe(200);
    await sql`DELETE FROM api_keys WHERE id = ${k2.id}`.execute(t.platform.db);
    expectErrorEnvelope(await call('GET', '/users', k2.key), 401, 'UNAUTHORIZED');
  } finally {
    await replica.closeApp();
  }
});
