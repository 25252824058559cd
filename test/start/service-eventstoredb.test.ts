/**
 * The service on EventStoreDB (EVENT_STORE=eventstoredb), as deployed: the API appends its
 * commands' events and the projector worker reads `$all`, both through the real client, from the
 * gRPC test double (no EventStoreDB server can run here); the read models, checkpoints and
 * reservations' lookup tables stay in PostgreSQL (the embedded server of the API, joined
 * through DATA_DIR by the worker).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { EventStoreDbEventStore, type RecordedEvent, encodePosition } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { createPool } from '@kob/postgres';
import {
  type EventStoreDbDouble,
  startEventStoreDbDouble,
} from '@test/eventstoredb-double/eventstoredb-double';
import {
  assertBuilt,
  cleanup,
  getJson,
  makeTempDir,
  output,
  startApi,
  stopCleanly,
  waitExit,
  waitHealthy,
  waitUntil,
} from './api-process';

const PROJECTOR_JS = path.join('dist', 'apps', 'projector', 'src', 'main.js');

/** The first admin key of the API under test (format `koba_<6 hex>.<32+ url-safe>`). */
const ADMIN_KEY = `koba_e5db01.${'k'.repeat(40)}`;
const auth = { 'x-api-key': ADMIN_KEY };

/** POST with a JSON body; the answer's status and JSON body. */
function postJson(
  port: number,
  urlPath: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method: 'POST',
        agent: false,
        timeout: 10_000,
        headers: { ...headers, 'content-type': 'application/json' },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('the service on EventStoreDB', () => {
  let double: EventStoreDbDouble;
  beforeAll(async () => {
    assertBuilt();
    double = await startEventStoreDbDouble();
  });
  afterAll(async () => {
    await cleanup();
    await double.close();
  }, 60_000);

  it('runs the API on EventStoreDB in worker mode: its events there, its read models from the worker', async () => {
    const dataDir = await makeTempDir('kobatela-start-esdb-api-');
    const onEsdb = {
      DATA_DIR: dataDir,
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: double.connectionString,
    };
    const api = startApi({
      env: {
        ...onEsdb,
        PROJECTIONS_MODE: 'worker',
        BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY,
        // Until the worker has projected the admin key, each poll below is a 401: under load more
        // than the default 20 a minute, which would then answer 429 until the minute ends.
        RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '100000',
      },
    });
    const health = await waitHealthy(api);
    expect(health.event_store).toMatchObject({ adapter: 'eventstoredb', connection: 'connected' });
    // The repair of steps only EventStoreDB leaves half-done runs; PostgreSQL's horizon job not.
    const jobs = (health.scheduler.jobs as { name: string }[]).map((j) => j.name);
    expect(jobs).toContain('multi-stream-recovery');
    expect(jobs).not.toContain('event-horizon');
    const worker = startApi({ script: PROJECTOR_JS, env: onEsdb });
    const pool = createPool(
      JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8')),
      2,
    );
    try {
      // The bootstrap key is an event in EventStoreDB: it authenticates once the worker projected it.
      await waitUntil(
        'the admin key to be projected by the worker',
        async () => ((await getJson(api.port!, '/users', auth)).status === 200 ? true : undefined),
        30_000,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${output(api)}\n${output(worker)}`);
      });
      const tag = randomUUID().slice(0, 8);
      const created = await postJson(api.port!, '/users', auth, {
        username: `esdb-${tag}`,
        email: `esdb-${tag}@example.org`,
      });
      expect(created.status).toBe(201);
      const userId = created.body.id as string;
      const store = EventStoreDbEventStore.connect(double.connectionString);
      try {
        const events = await store.readStream(`user-${userId}`);
        expect(events.map((e) => e.type)).toEqual(['user.registered.v1']);
        expect(events[0]!.metadata.actor).toMatchObject({ kind: 'api_key', scope: 'admin' });
      } finally {
        await store.close();
      }
      // Nothing went to PostgreSQL's event table.
      expect((await pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
      await waitUntil(
        'the user to be projected',
        async () =>
          (await getJson(api.port!, `/users/${userId}`, auth)).status === 200 ? true : undefined,
        30_000,
      );
      await stopCleanly(worker);
      await stopCleanly(api);
    } finally {
      await pool.end();
    }
  });

  it('projects $all from EventStoreDB into PostgreSQL, checkpointing its positions', async () => {
    const dataDir = await makeTempDir('kobatela-start-esdb-worker-');
    const api = startApi({ env: { DATA_DIR: dataDir, PROJECTIONS_MODE: 'worker' } });
    await waitHealthy(api);
    const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
    const pool = createPool(connection, 2);
    const store = EventStoreDbEventStore.connect(double.connectionString);
    const category = `esdbw${randomUUID().slice(0, 8)}`;
    const projected = async () =>
      (
        await pool.query(
          'SELECT coalesce(sum(events), 0)::int AS n FROM event_stats WHERE category = $1',
          [category],
        )
      ).rows[0].n as number;
    const checkpoint = async () =>
      (
        await pool.query(
          `SELECT checkpoint_tx::text AS tx, checkpoint_pos::text AS pos
           FROM projection_checkpoints WHERE name = 'event_stats'`,
        )
      ).rows[0] as { tx: string; pos: string } | undefined;
    try {
      // A backlog written before the worker starts, and events written while it runs.
      await store.appendToStream(`${category}-${randomUUID()}`, [ev('w.a.v1'), ev('w.b.v1')], {
        expectedRevision: 'no_stream',
      });
      const worker = startApi({
        script: PROJECTOR_JS,
        env: {
          DATA_DIR: dataDir,
          EVENT_STORE: 'eventstoredb',
          EVENTSTORE_CONNECTION_STRING: double.connectionString,
        },
      });
      await waitUntil(
        'the backlog to be projected',
        async () => ((await projected()) === 2 ? true : undefined),
        30_000,
      ).catch((err) => {
        throw new Error(`${(err as Error).message}\n${output(worker)}`);
      });
      expect(worker.logs.find((l) => l.msg === 'projector worker started')).toMatchObject({
        eventStore: 'eventstoredb',
      });
      const live = await store.appendToStream(`${category}-${randomUUID()}`, [ev('w.c.v1')], {
        expectedRevision: 'no_stream',
      });
      await waitUntil(
        'the live event to be projected',
        async () => ((await projected()) === 3 ? true : undefined),
        30_000,
      );
      // The checkpoint is the EventStoreDB position (commit, prepare) of the last event read.
      const [last] = (await store.readAll({ fromPosition: null, maxCount: 5000 })).slice(
        -1,
      ) as RecordedEvent[];
      expect(last!.position).toEqual(live.position);
      const stored = await checkpoint();
      expect(encodePosition({ tx: BigInt(stored!.tx), pos: BigInt(stored!.pos) })).toBe(
        encodePosition(live.position),
      );
      process.kill(worker.pid, 'SIGTERM');
      expect((await waitExit(worker, 30_000)).code).toBe(0);
      // Nothing was projected twice: the count is still that of the three events.
      expect(await projected()).toBe(3);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});
