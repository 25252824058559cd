/**
 * The authenticator's cache of verified API-key rows (inline projections): a row read once is
 * reused, and it never outlives a change of keys or users this process's projections apply. A
 * revoked key is refused from the revoke's answer on; a deactivated user's key likewise; a key
 * or user event of any kind empties the cache (shown by removing a row behind the projections'
 * back: the cached row serves until the next key event, then the read model decides again).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { expectErrorEnvelope } from '../http/http-expect';
import { startTestApp, type TestApp } from '../support/test-app';

const ADMIN_KEY = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

let t: TestApp;
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string, body?: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

beforeAll(async () => {
  t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY } });
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

it('refuses a revoked key from the revoke answer on', async () => {
  const k = await supportKey();
  expect((await call('GET', '/users', k.key)).statusCode).toBe(200);
  expect((await call('DELETE', `/apikeys/${k.id}`, ADMIN_KEY)).statusCode).toBeLessThan(300);
  expectErrorEnvelope(await call('GET', '/users', k.key), 401, 'UNAUTHORIZED');
});

it("refuses a deactivated user's key from the deactivation answer on", async () => {
  const user = (await call('POST', '/users', ADMIN_KEY, { username: `u-${randomBytes(3).toString('hex')}`, email: `u-${randomBytes(3).toString('hex')}@example.org` })).json();
  const key = (await call('POST', '/apikeys', ADMIN_KEY, { name: 'sender', scope: 'sender', user_id: user.id })).json();
  expect((await call('GET', `/users/${user.id}`, key.key)).statusCode).toBe(200);
  expect((await call('PATCH', `/users/${user.id}`, ADMIN_KEY, { is_active: false })).statusCode).toBe(200);
  expectErrorEnvelope(await call('GET', `/users/${user.id}`, key.key), 401, 'UNAUTHORIZED');
  expect((await call('PATCH', `/users/${user.id}`, ADMIN_KEY, { is_active: true })).statusCode).toBe(200);
  expect((await call('GET', `/users/${user.id}`, key.key)).statusCode).toBe(200);
});
