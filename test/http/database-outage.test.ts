/**
 * PostgreSQL stopped under a running API, then started again (issue 12): while it is down every
 * request that needs it answers 503 DATABASE_UNAVAILABLE in the envelope with Retry-After and
 * X-Request-Id (the access guard's key lookup included), never a 500; `/health` stays 200 and
 * says degraded; once it is back the same app serves again without a restart: keys are looked up,
 * commands append, the projections catch up and no projector halted.
 *
 * The server is a real one of this test's own (its socket folder is fixed, so the app's pools
 * reconnect to the restarted server as they would to a managed database after a failover).
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'light-my-request';
import { signWebhook } from '@kob/psp';
import { newAdminKey } from '../support/escrow-api';
import { restartableDatabase, type RestartableDatabase } from '../support/test-db';
import { TEST_WEBHOOK_SECRET, startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope, until } from './http-expect';

/** How long the service gets to serve again once the server is back (a bound, not a sleep). */
const RECOVERY_TIMEOUT_MS = 30_000;

let db: RestartableDatabase;
let t: TestApp;
const admin = newAdminKey();
const ids: Record<'client' | 'provider', string> = { client: '', provider: '' };
const keys: Record<'client' | 'support', string> = { client: '', support: '' };
let escrowId = '';

const call = (
  method: 'GET' | 'POST',
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

const deposit = (amount: string, key = `dep-${randomUUID()}`) =>
  call('POST', `/escrows/${escrowId}/deposit`, keys.client, { amount }, { 'idempotency-key': key });

function webhook(): Promise<Response> {
  const raw = JSON.stringify({
    event_id: `evt-${randomUUID()}`,
    type: 'payment.settled',
    psp_ref: 'ref-unknown',
  });
  const timestamp = String(Math.trunc(Date.now() / 1000));
  return t.app.inject({
    method: 'POST',
    url: '/psp/webhook',
    headers: {
      'content-type': 'application/json',
      'x-psp-timestamp': timestamp,
      'x-psp-signature': signWebhook(TEST_WEBHOOK_SECRET, timestamp, raw),
    },
    payload: raw,
  });
}

/**
 * Every request the outage is tried with (reads, commands, a key that does not exist), and the
 * status each answers when the database is up.
 */
function requests(): [string, () => Promise<Response>, number][] {
  return [
    ['list escrows (key lookup)', () => call('GET', '/escrows', keys.client), 200],
    ['read an escrow', () => call('GET', `/escrows/${escrowId}`, keys.support), 200],
    ['summary', () => call('GET', `/escrows/${escrowId}/summary`, keys.client), 200],
    ['an unknown key', () => call('GET', '/escrows', newAdminKey()), 401],
    ['deposit', () => deposit('1.00'), 200],
    [
      'create escrow',
      () =>
        call('POST', '/escrows', keys.client, {
          client_id: ids.client,
          provider_id: ids.provider,
          amount_total: '10.00',
          currency: 'USD',
          release_conditions: {},
          deadline_at: '2099-12-31T00:00:00Z',
        }),
      201,
    ],
    [
      'create user',
      () =>
        call('POST', '/users', admin, {
          username: `u-${randomUUID().slice(0, 8)}`,
          email: `${randomUUID().slice(0, 8)}@example.org`,
        }),
      201,
    ],
    [
      'issue a key',
      () => call('POST', '/apikeys', admin, { name: 'outage', scope: 'support' }),
      201,
    ],
    ['audit', () => call('GET', '/audit/events', keys.support), 200],
    ['ledger', () => call('GET', '/ledger/trial-balance', keys.support), 200],
    ['signed webhook', webhook, 200],
  ];
}

beforeAll(async () => {
  db = await restartableDatabase();
  t = await startTestApp({ database: db, env: { BOOTSTRAP_ADMIN_API_KEY: admin } });
  for (const name of ['client', 'provider'] as const) {
    const tag = randomUUID().slice(0, 8);
    const user = await call('POST', '/users', admin, {
      username: `${name}-${tag}`,
      email: `${name}-${tag}@example.org`,
    });
    ids[name] = user.json().id;
  }
  keys.client = (
    await call('POST', '/apikeys', admin, { name: 'client', scope: 'sender', user_id: ids.client })
  ).json().key;
  keys.support = (
    await call('POST', '/apikeys', admin, { name: 'support', scope: 'support' })
  ).json().key;
  const escrow = await call('POST', '/escrows', keys.client, {
    client_id: ids.client,
    provider_id: ids.provider,
    amount_total: '100.00',
    currency: 'USD',
    release_conditions: {},
    deadline_at: '2099-12-31T00:00:00Z',
  });
  expect(escrow.statusCode).toBe(201);
  escrowId = escrow.json().id;
  expect((await deposit('10.00')).statusCode).toBe(200);
}, 120_000);

afterAll(async () => {
  await t?.closeApp();
  await db?.close();
}, 120_000);

describe('PostgreSQL stopped and started again under a running API', () => {
  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while it is down, never a 500', async () => {
    await db.stopServer();
    for (const [what, send] of requests()) {
      const res = await send();
      expect({ what, status: res.statusCode }).toEqual({ what, status: 503 });
      const error = expectErrorEnvelope(res, 503, 'DATABASE_UNAVAILABLE');
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(error.details).toEqual({ retry_after_seconds: Number(res.headers['retry-after']) });
    }
    // What needs no database still answers as usual.
    expectErrorEnvelope(await call('GET', '/escrows', null), 401, 'NO_API_KEY');
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/psp/webhook',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expectErrorEnvelope(unsigned, 401, 'WEBHOOK_SIGNATURE_MISSING');
    const health = await call('GET', '/health', null);
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'degraded', db_ok: false });
    // Not a bug: nothing was logged at error level (a 500 would be), a warning names the outage.
    const lines = t.logs.map((l) => JSON.parse(l) as { level: number; msg?: string });
    expect(lines.filter((l) => l.msg === 'unhandled error (bug)')).toEqual([]);
    expect(lines.some((l) => l.msg === 'database unavailable: answered 503')).toBe(true);
  }, 60_000);

  it('serves again once it is back, without a restart: keys, commands, projections', async () => {
    await db.startServer();
    await until(
      'the API serves again',
      async () => (await call('GET', '/escrows', keys.client)).statusCode === 200,
      RECOVERY_TIMEOUT_MS,
    );
    for (const [what, send, status] of requests()) {
      const res = await send();
      expect({ what, status: res.statusCode }).toEqual({ what, status });
    }
    // A new deposit is appended and projected: its answer waited for the read models.
    const after = await deposit('5.00');
    expect(after.statusCode).toBe(200);
    expect(after.headers['x-projection-pending']).toBeUndefined();
    const summary = (await call('GET', `/escrows/${escrowId}/summary`, keys.client)).json();
    expect(summary.balances).toMatchObject({ deposited: '16.00' });
    await until(
      'the projections caught up',
      async () => {
        const health = (await call('GET', '/health', null)).json();
        return health.status === 'ok' && health.halted_projectors?.length === 0;
      },
      RECOVERY_TIMEOUT_MS,
    );
  }, 90_000);

  it('never answers a 500 while it goes down and comes back under a stream of requests', async () => {
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    let stop = false;
    const worker = async (n: number) => {
      for (let i = 0; !stop; i++) {
        const [what, send] = requests()[(n + i) % requests().length]!;
        const res = await send();
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (
          res.statusCode >= 500 &&
          (res.statusCode !== 503 ||
            res.json().error?.code !== 'DATABASE_UNAVAILABLE' ||
            !res.headers['retry-after'])
        ) {
          bad.push(`${what}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    try {
      await until(
        'requests flowing',
        () => [...statuses.values()].reduce((a, b) => a + b, 0) >= 20,
        20_000,
      );
      await db.stopServer();
      await until('503s while down', () => (statuses.get(503) ?? 0) >= 20, 20_000);
      await db.startServer();
      await until(
        'the API serves again',
        async () => (await call('GET', '/escrows', keys.client)).statusCode === 200,
        RECOVERY_TIMEOUT_MS,
      );
      const served = statuses.get(200) ?? 0;
      await until(
        'successes after the restart',
        () => (statuses.get(200) ?? 0) >= served + 20,
        20_000,
      );
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    const bugs = t.logs.filter((l) => l.includes('unhandled error (bug)'));
    expect({ bad, bugs }).toEqual({ bad: [], bugs: [] });
    expect([...statuses.keys()].filter((s) => s >= 500 && s !== 503)).toEqual([]);
    // The projections went through the outage too, and none halted on it.
    await until(
      'the projections caught up',
      async () => {
        const health = (await call('GET', '/health', null)).json();
        return health.status === 'ok' && health.halted_projectors?.length === 0;
      },
      RECOVERY_TIMEOUT_MS,
    );
  }, 120_000);
});
