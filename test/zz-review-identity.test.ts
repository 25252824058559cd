import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from './support/test-app';

const ADMIN_KEY = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

describe('review probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY } });
  });
  afterAll(() => t.close());
  const call = (method: any, url: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method,
      url,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
  const show = (label: string, r: any) => console.log(label, r.statusCode, r.body.slice(0, 300));

  it('probes', async () => {
    show('alice', await call('POST', '/users', ADMIN_KEY, { username: 'alice', email: 'alice@example.org' }));
    show('fullwidth username', await call('POST', '/users', ADMIN_KEY, { username: 'ａｌｉｃｅ', email: 'a2@example.org' }));
    show('zero-width username', await call('POST', '/users', ADMIN_KEY, { username: 'ali\u200bce', email: 'a3@example.org' }));
    show('fullwidth email', await call('POST', '/users', ADMIN_KEY, { username: 'x4', email: 'ａlice@example.org' }));
    show('zw email', await call('POST', '/users', ADMIN_KEY, { username: 'x5', email: 'ali\u200bce@example.org' }));
    show('rtl username', await call('POST', '/users', ADMIN_KEY, { username: 'ali\u202ece', email: 'a6@example.org' }));
    // idempotency: same key different body
    show('idem1', await call('POST', '/users', ADMIN_KEY, { username: 'bob', email: 'bob@example.org' }, { 'idempotency-key': 'k1' }));
    show('idem2 diff body', await call('POST', '/users', ADMIN_KEY, { username: 'bob2', email: 'bob2@example.org' }, { 'idempotency-key': 'k1' }));
    show('idem3 trimmed-equal body', await call('POST', '/users', ADMIN_KEY, { username: ' bob', email: 'bob@example.org' }, { 'idempotency-key': 'k1' }));
    // concurrent same username
    const rs = await Promise.all([0, 1, 2, 3].map((i) => call('POST', '/users', ADMIN_KEY, { username: 'race', email: `race${i}@example.org` })));
    console.log('race statuses', rs.map((r) => r.statusCode));
    const rs2 = await Promise.all([0, 1, 2, 3].map((i) => call('POST', '/users', ADMIN_KEY, { username: `racee${i}`, email: i % 2 ? 'RACE@example.org' : 'race@EXAMPLE.org' })));
    console.log('race email statuses', rs2.map((r) => r.statusCode));
    // support creating a GOV user
    const sup = (await call('POST', '/apikeys', ADMIN_KEY, { name: 's', scope: 'support' })).json();
    show('support creates GOV user', await call('POST', '/users', sup.key, { username: 'gov', email: 'gov@example.org', public_tag: 'GOV' }));
    // 500 probes
    show('audit stream NUL', await call('GET', '/audit/events?stream=%00&api_key=SECRETQ', ADMIN_KEY));
    show('audit type NUL', await call('GET', '/audit/events?type=a%00', ADMIN_KEY));
    show('audit actor NUL', await call('GET', '/audit/events?actor_prefix=%00', ADMIN_KEY));
    show('audit streams NUL', await call('GET', '/audit/streams/a%00b?token=SECRETQ2', ADMIN_KEY));
    show('audit streams bad utf8', await call('GET', '/audit/streams/%C0%AF', ADMIN_KEY));
    show('audit events bad utf8', await call('GET', '/audit/events?stream=%C0%AF', ADMIN_KEY));
    show('audit big offset', await call('GET', '/audit/events?offset=99999999999999999999', ADMIN_KEY));
    show('users big offset', await call('GET', '/users?offset=1e300', ADMIN_KEY));
    show('apikeys name NUL-ish', await call('POST', '/apikeys', ADMIN_KEY, { name: 'a\u0001b\u007f', scope: 'support', days_valid: 3650 }));
    show('x-api-key header blank + bearer', await call('GET', '/users', null, undefined, { 'x-api-key': '   ', authorization: `Bearer ${ADMIN_KEY}` }));
    console.log("500 logs", t.logs.filter((l) => l.includes("SECRETQ")).map((l) => JSON.parse(l).url));
    show("users huge offset", await call("GET", "/users?offset=99999999999999999999", ADMIN_KEY));
    // audit masking of user.registered
    const audit = await call('GET', '/audit/events?limit=200', sup.key);
    const items = audit.json().items as any[];
    console.log('registered', JSON.stringify(items.find((i) => i.type === 'user.registered.v1')));
    console.log('email reservation', JSON.stringify(items.find((i) => i.stream_id.startsWith('email-'))));
    console.log('idem reservation', JSON.stringify(items.find((i) => i.stream_id.startsWith('idem-'))));
    // key whose user row is missing from users read model (users projector lagging/halted)
    const u = (await call('POST', '/users', ADMIN_KEY, { username: 'lag', email: 'lag@example.org' })).json();
    const k = (await call('POST', '/apikeys', ADMIN_KEY, { name: 'lag', scope: 'sender', user_id: u.id })).json();
    await sql`DELETE FROM users WHERE id = ${u.id}`.execute(t.platform.db);
    show('key of user missing from users read model', await call('GET', '/apikeys', k.key));
    show('... own user', await call('GET', `/users/${u.id}`, k.key));
  });
});

import { testDatabase } from './support/test-db';

describe('review: worker mode revocation', () => {
  it('revoked key stays valid on another replica / after restart while the worker is behind', async () => {
    const tdb = await testDatabase();
    const env = { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY, PROJECTIONS_MODE: 'worker', API_KEY_SECRET: 'x'.repeat(40) };
    const a = await startTestApp({ database: tdb, env });
    await a.platform.projections.catchUp();
    const hdr = (k: string) => ({ 'x-api-key': k, 'content-type': 'application/json' });
    const created = await a.app.inject({ method: 'POST', url: '/apikeys', headers: hdr(ADMIN_KEY), payload: JSON.stringify({ name: 'n', scope: 'support' }) });
    const k = created.json();
    const u = (await a.app.inject({ method: 'POST', url: '/users', headers: hdr(ADMIN_KEY), payload: JSON.stringify({ username: 'w', email: 'w@example.org' }) })).json();
    const sk = (await a.app.inject({ method: 'POST', url: '/apikeys', headers: hdr(ADMIN_KEY), payload: JSON.stringify({ name: 'n', scope: 'sender', user_id: u.id }) })).json();
    await a.platform.projections.catchUp();
    const del = await a.app.inject({ method: 'DELETE', url: `/apikeys/${k.id}`, headers: { 'x-api-key': ADMIN_KEY } });
    const off = await a.app.inject({ method: 'PATCH', url: `/users/${u.id}`, headers: hdr(ADMIN_KEY), payload: JSON.stringify({ is_active: false }) });
    console.log('DELETE', del.statusCode, del.headers['x-projection-pending'], 'PATCH', off.statusCode);
    console.log('same process after revoke', (await a.app.inject({ method: 'GET', url: '/users', headers: { 'x-api-key': k.key } })).statusCode);
    console.log('same process after deactivate', (await a.app.inject({ method: 'GET', url: `/users/${u.id}`, headers: { 'x-api-key': sk.key } })).statusCode);
    const b = await startTestApp({ database: tdb, env });
    console.log('other replica after revoke', (await b.app.inject({ method: 'GET', url: '/users', headers: { 'x-api-key': k.key } })).statusCode);
    console.log('other replica after deactivate', (await b.app.inject({ method: 'GET', url: `/users/${u.id}`, headers: { 'x-api-key': sk.key } })).statusCode);
    await a.closeApp();
    await b.closeApp();
    await tdb.close();
  });

  it('same BOOTSTRAP key on several replicas at once', async () => {
    const tdb = await testDatabase();
    const env = { BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY };
    const results = await Promise.allSettled([0, 1, 2].map(() => startTestApp({ database: tdb, env })));
    console.log('bootstrap same key', results.map((r) => (r.status === 'fulfilled' ? 'ok' : String((r as any).reason).slice(0, 200))));
    for (const r of results) if (r.status === 'fulfilled') await r.value.closeApp();
    await tdb.close();
  });

  it('bootstrap key longer than 256 after the dot', async () => {
    const long = `koba_abcdef.${'A'.repeat(300)}`;
    const t = await startTestApp({ env: { BOOTSTRAP_ADMIN_API_KEY: long } });
    console.log('long bootstrap key', (await t.app.inject({ method: 'GET', url: '/users', headers: { 'x-api-key': long } })).statusCode);
    await t.close();
  });
});
