/**
 * A second start reuses the data: the built API is started on a fresh DATA_DIR in development
 * without API_KEY_SECRET (so it generates `DATA_DIR/api-key-secret`, mode 0600), an event is
 * appended through the event store using the connection the running API publishes in
 * `DATA_DIR/connection.json`, the API is stopped with SIGINT and started again on the same
 * DATA_DIR: it is healthy, keeps the same secret, still has the event, and did not run initdb
 * again (the cluster's PG_VERSION is the same file, untouched).
 */
import { randomUUID } from 'node:crypto';
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { PostgresEventStore, encodePosition } from '@kob/event-store';
import { systemActor } from '@kob/kernel';
import type { PgConnectionConfig } from '@kob/postgres';
import {
  assertBuilt,
  cleanup,
  getJson,
  makeTempDir,
  output,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
  type ApiProcess,
} from './api-process';

async function withStore<T>(
  dataDir: string,
  use: (store: PostgresEventStore) => Promise<T>,
): Promise<T> {
  const connection = JSON.parse(
    await fs.readFile(path.join(dataDir, 'connection.json'), 'utf8'),
  ) as PgConnectionConfig;
  const pool = new Pool({ ...connection, max: 2 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  try {
    return await use(store);
  } finally {
    await store.close();
    await pool.end();
  }
}

async function stop(api: ApiProcess): Promise<void> {
  process.kill(api.pid, 'SIGINT');
  const exit = await waitExit(api, 30_000);
  if (exit.code !== 0) throw new Error(`expected exit code 0 after SIGINT\n${output(api)}`);
}

describe('a second start on the same DATA_DIR', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('reuses the cluster, the generated secret and the events', async () => {
    const dataDir = await makeTempDir('kobatela-start-restart-');
    const secretFile = path.join(dataDir, 'api-key-secret');
    const pgVersion = path.join(dataDir, 'pg', 'PG_VERSION');
    const env = { DATA_DIR: dataDir, APP_ENV: 'development', API_KEY_SECRET: undefined };

    // First start: initdb, a generated secret, one event appended.
    const first = startApi({ env });
    const health1 = await waitHealthy(first);
    expect(health1.app_env).toBe('development');
    // The real process registers every scheduler job, mandate expiry included, and shows them.
    expect(health1.scheduler.jobs.map((j: { name: string }) => j.name).sort()).toEqual([
      'escrow-deadlines',
      'event-horizon',
      'mandate-expiry',
      'payment-recovery',
    ]);
    expect(
      health1.scheduler.jobs.find((j: { name: string }) => j.name === 'mandate-expiry').interval_ms,
    ).toBe(3_600_000);
    // The only events so far: the bootstrap admin key, issued on this first start.
    expect(health1.event_store.head_position).not.toBeNull();
    const printed =
      /Bootstrap admin API key \(shown once, store it now\): (koba_[0-9a-f]{6}\.[A-Za-z0-9_-]{43})/.exec(
        first.stdout,
      );
    expect(printed).not.toBeNull();
    const adminKey = printed![1]!;
    const keys = await getJson(first.port!, '/apikeys', { 'x-api-key': adminKey });
    expect(keys.status).toBe(200);
    expect(first.logs.filter((l) => JSON.stringify(l).includes(adminKey.split('.')[1]!))).toEqual(
      [],
    );
    expect(first.logs.find((l) => l.msg === 'starting')).toMatchObject({
      apiKeySecret: 'data_dir',
    });
    const secret = await fs.readFile(secretFile, 'utf8');
    expect(secret.trim().length).toBeGreaterThanOrEqual(32);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const initdbStat = statSync(pgVersion);

    const streamId = `restart-${randomUUID()}`;
    const eventId = randomUUID();
    const appended = await withStore(dataDir, (store) => {
      const id = randomUUID();
      return store.appendToStream(
        streamId,
        [
          {
            id: eventId,
            type: 'test.restart.v1',
            data: { n: 1 },
            metadata: {
              actor: systemActor('system:test'),
              commandId: id,
              correlationId: id,
              causationId: id,
              occurredAt: new Date().toISOString(),
            },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
    });
    const head = encodePosition(appended.position);
    await waitUntil(
      '/health to show the appended event as the head',
      async () =>
        (await getJson(first.port!, '/health')).body.event_store.head_position === head
          ? true
          : undefined,
      10_000,
    );
    await stop(first);

    // Second start: same cluster, same secret, the event is still there.
    const second = startApi({ env });
    const health2 = await waitHealthy(second);
    expect(health2.event_store.head_position).toBe(head);
    // Bootstrapped once: the second start prints no new key, and the first key still works.
    expect(second.stdout).not.toContain('Bootstrap admin API key');
    expect((await getJson(second.port!, '/apikeys', { 'x-api-key': adminKey })).status).toBe(200);
    expect(health2.migrations_status).toBe('up_to_date');
    expect(await fs.readFile(secretFile, 'utf8')).toBe(secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const again = statSync(pgVersion);
    expect(again.ino).toBe(initdbStat.ino);
    expect(again.mtimeMs).toBe(initdbStat.mtimeMs);
    const events = await withStore(dataDir, (store) => store.readStream(streamId));
    expect(events.map((e) => [e.id, e.type, e.data])).toEqual([
      [eventId, 'test.restart.v1', { n: 1 }],
    ]);
    await stop(second);
  }, 120_000);
});
