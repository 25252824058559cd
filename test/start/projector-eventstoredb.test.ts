/**
 * The projector worker on EventStoreDB (EVENT_STORE=eventstoredb), as deployed: the process reads
 * `$all` through the real client from the gRPC test double (no EventStoreDB server can run here),
 * and writes the read models and its checkpoint to PostgreSQL (the embedded server of an API in
 * worker mode, joined through DATA_DIR). The API itself runs on PostgreSQL: the commands are not
 * wired to EventStoreDB yet, and it refuses to start on it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
  makeTempDir,
  output,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
} from './api-process';

const PROJECTOR_JS = path.join('dist', 'apps', 'projector', 'src', 'main.js');

describe('the projector worker on EventStoreDB', () => {
  let double: EventStoreDbDouble;
  beforeAll(async () => {
    assertBuilt();
    double = await startEventStoreDbDouble();
  });
  afterAll(async () => {
    await cleanup();
    await double.close();
  }, 60_000);

  it('refuses EVENT_STORE=eventstoredb for the API, naming the variable', async () => {
    const api = startApi({
      env: {
        DATA_DIR: await makeTempDir('kobatela-start-esdb-api-'),
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: double.connectionString,
      },
    });
    const exit = await waitExit(api, 30_000);
    expect(exit.code).not.toBe(0);
    expect(output(api)).toMatch(/EVENT_STORE eventstoredb serves the projector worker only/);
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
