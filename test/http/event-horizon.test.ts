/**
 * Open transactions and the `$all` horizon, on a cluster of its own (these tests hold
 * transactions open, and the xmin rule is cluster-wide: on the shared cluster they would stall
 * every other file's projections).
 * - The service's sessions carry `idle_in_transaction_session_timeout`: a session left idle in a
 *   transaction is ended by the server.
 * - A transaction of another role, held open past EVENT_HORIZON_HELD_MAX_MS, makes `/health`
 *   degraded and names it (pid, database, role, state, age); the `event-horizon` job raises one
 *   EVENT_HORIZON_HELD_BACK alert for it however often it runs; once it ends, `/health` is ok
 *   and the projections (the alert's read model among them) go on.
 */
import { createPool } from '@kob/postgres';
import { eventHorizonJob } from '@kob/platform';
import { limits } from '@kob/kernel';
import { waitUntil } from '../start/api-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { ownClusterDatabase, type TestDatabase } from '../support/test-db';

const HELD_MAX_MS = 300;
let tdb: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  tdb = await ownClusterDatabase();
  t = await startTestApp({
    database: tdb,
    env: { EVENT_HORIZON_HELD_MAX_MS: String(HELD_MAX_MS) },
  });
});
afterAll(async () => {
  await t?.close();
  await tdb?.close();
});

async function health(): Promise<any> {
  const res = await t.app.inject({ method: 'GET', url: '/health' });
  expect(res.statusCode).toBe(200);
  return res.json();
}

describe('a session idle in a transaction', () => {
  it('is set up on the service pools', async () => {
    const res = await t.platform.pool.query<{ ms: string }>(
      `SELECT setting AS ms FROM pg_settings WHERE name = 'idle_in_transaction_session_timeout'`,
    );
    expect(Number(res.rows[0]!.ms)).toBe(limits.dbIdleInTransactionTimeoutMs);
  });

  it('is ended by the server', async () => {
    const pool = createPool(tdb.serviceConfig, 1, { idleInTransactionTimeoutMs: 200 });
    const client = await pool.connect();
    try {
      const ended = new Promise<Error>((resolve) => client.on('error', resolve));
      await client.query('BEGIN');
      const { pid } = (
        await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_current_xact_id()')
      ).rows[0]!;
      const err = await waitUntil(
        'the server to end the session',
        () => Promise.race([ended, undefined]),
        10_000,
      );
      expect(err.message).toMatch(/idle-in-transaction timeout/);
      await waitUntil(
        'the backend to be gone',
        async () =>
          (await tdb.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]))
            .rowCount === 0
            ? true
            : undefined,
        10_000,
      );
    } finally {
      client.release(true);
      await pool.end();
    }
  });
});

describe('the $all horizon held back', () => {
  it('shows in /health, raises one alert, and clears when the transaction ends', async () => {
    expect((await health()).event_horizon).toMatchObject({
      held_back: false,
      limit_ms: HELD_MAX_MS,
    });
    const holder = await tdb.pool.connect(); // the superuser: another role than the service's
    let open = true;
    try {
      await holder.query('BEGIN');
      const { pid } = (
        await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_current_xact_id()')
      ).rows[0]!;
      const degraded = await waitUntil(
        '/health to say degraded',
        async () => {
          const body = await health();
          return body.event_horizon.held_back ? body : undefined;
        },
        10_000,
      );
      expect(degraded.status).toBe('degraded');
      expect(degraded.event_horizon.holder).toMatchObject({
        kind: 'session',
        pid,
        database: tdb.config.database,
        role: tdb.config.user,
        state: 'idle in transaction',
      });
      expect(degraded.event_horizon.holder.age_ms).toBeGreaterThan(HELD_MAX_MS);

      const job = eventHorizonJob(t.platform);
      expect(await job.run({ now: new Date() })).toMatch(`held back by pid ${pid}, alert raised`);
      expect(await job.run({ now: new Date() })).toMatch(
        `held back by pid ${pid}, already alerted`,
      );
      const alerts = await tdb.pool.query(
        `SELECT data FROM events WHERE type = 'alert.raised.v1' AND data->>'type' = 'EVENT_HORIZON_HELD_BACK'`,
      );
      expect(alerts.rows).toHaveLength(1);
      expect(alerts.rows[0].data.payload).toMatchObject({
        pid,
        database: tdb.config.database,
        state: 'idle in transaction',
        limit_ms: HELD_MAX_MS,
      });

      await holder.query('COMMIT');
      open = false;
    } finally {
      if (open) await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    await waitUntil(
      '/health to be ok again',
      async () => ((await health()).status === 'ok' ? true : undefined),
      10_000,
    );
    expect(await eventHorizonJob(t.platform).run({ now: new Date() })).toBe(
      'horizon: not held back',
    );
    // The projections go on: the alert reaches its read model.
    await waitUntil(
      'the alert to be projected',
      async () =>
        (await tdb.pool.query(`SELECT 1 FROM alerts WHERE type = 'EVENT_HORIZON_HELD_BACK'`))
          .rowCount === 1
          ? true
          : undefined,
      10_000,
    );
  });
});
