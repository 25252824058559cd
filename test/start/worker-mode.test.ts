/**
 * Worker mode as deployed: the API started with PROJECTIONS_MODE=worker does not project; two
 * `apps/projector` processes join its embedded PostgreSQL (through DATA_DIR), exactly one runs
 * the projector, and when that one is stopped the standby takes over and projects what follows;
 * when the active one is killed (SIGKILL) while events keep coming, the standby takes over with no
 * gap and no duplicate; when the active one is told to stop (SIGTERM) while a batch is in flight,
 * it commits that whole batch, starts no other, releases its locks and exits 0, and the standby
 * goes on from its checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  APPENDED_CHANNEL,
  PostgresEventStore,
  comparePositions,
  type Position,
} from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { createPool } from '@kob/postgres';
import type { Pool } from 'pg';
import {
  assertBuilt,
  cleanup,
  exitedCleanly,
  getJson,
  makeTempDir,
  output,
  startApi,
  startHealthy,
  stopCleanly,
  waitExit,
  waitUntil,
  type ApiProcess,
} from './api-process';

const PROJECTOR_JS = path.join('dist', 'apps', 'projector', 'src', 'main.js');

/**
 * An API in worker mode (it projects nothing) on a fresh DATA_DIR, the environment to start
 * workers on it with, and a pool on its database for the test's own appends and reads.
 */
async function workerModeApi(prefix: string, env: Record<string, string> = {}) {
  const dataDir = await makeTempDir(prefix);
  const workerEnv = { DATA_DIR: dataDir, PROJECTIONS_MODE: 'worker', ...env };
  const { api } = await startHealthy({ env: workerEnv });
  const connection = JSON.parse(readFileSync(path.join(dataDir, 'connection.json'), 'utf8'));
  const pool = createPool(connection, 3);
  return { env: workerEnv, api, pool, store: new PostgresEventStore(pool) };
}

/** Whether the worker took `projector`'s lock (any projector's when none is named). */
function isActive(worker: ApiProcess, projector?: string): boolean {
  return worker.logs.some(
    (l) => l.msg === 'projector active' && (projector === undefined || l.projector === projector),
  );
}

/**
 * Starts two workers, one after the other: the first takes every projector before the second
 * starts (two started at once may share the projectors out between them, which is allowed but
 * leaves no single leader to stop). Answers [the leader, the standby].
 */
async function startTwoWorkers(
  env: Record<string, string>,
  projector?: string,
): Promise<[leader: ApiProcess, standby: ApiProcess]> {
  const started = (w: ApiProcess) =>
    w.logs.some((l) => l.msg === 'projector worker started') ? true : undefined;
  const leader = startApi({ script: PROJECTOR_JS, env });
  await waitUntil('the first worker to take the projectors', () => started(leader), 30_000).catch(
    (err) => {
      throw new Error(`${(err as Error).message}\n${output(leader)}`);
    },
  );
  expect(isActive(leader, projector)).toBe(true);
  // The heap was compacted once, before the worker took any projector (compact-heap.ts).
  const messages = leader.logs.map((l) => l.msg);
  expect(messages.filter((m) => m === 'heap compacted after start')).toHaveLength(1);
  expect(messages.indexOf('heap compacted after start')).toBeLessThan(
    messages.indexOf('projector worker started'),
  );
  const standby = startApi({ script: PROJECTOR_JS, env });
  await waitUntil('the second worker to stand by', () => started(standby), 30_000).catch((err) => {
    throw new Error(`${(err as Error).message}\n${output(standby)}`);
  });
  return [leader, standby];
}

/** Appends `streams` new streams of `category` with two events each; answers the events appended. */
async function appendPairs(
  store: PostgresEventStore,
  category: string,
  streams: number,
): Promise<number> {
  for (let i = 0; i < streams; i++) {
    await store.appendToStream(`${category}-${randomUUID()}`, [ev('wk.a.v1'), ev('wk.b.v1')], {
      expectedRevision: 'no_stream',
    });
  }
  return streams * 2;
}

/** A projector's checkpoint row: where it stands and how many events it has applied in all. */
async function checkpointOf(
  pool: Pool,
  projector: string,
): Promise<{ position: Position; eventsApplied: number }> {
  const res = await pool.query(
    `SELECT checkpoint_tx::text AS tx, checkpoint_pos::text AS pos, events_applied::int AS n
     FROM projection_checkpoints WHERE name = $1`,
    [projector],
  );
  const row = res.rows[0];
  return { position: { tx: BigInt(row.tx), pos: BigInt(row.pos) }, eventsApplied: row.n };
}

/** Sessions waiting for a lock on a checkpoint row: a batch in flight held back by the test. */
async function checkpointLockWaiters(pool: Pool): Promise<number> {
  const res = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE wait_event_type = 'Lock' AND query ILIKE '%projection_checkpoints%'`,
  );
  return res.rows[0].n as number;
}

/** Sessions listening for the API's appends (append-signal.ts): one per running worker. */
async function appendListeners(pool: Pool): Promise<number> {
  const res = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1 AND state = 'idle'`,
    [`LISTEN ${APPENDED_CHANNEL}`],
  );
  return res.rows[0].n as number;
}

/** Events of `category` that event_stats has projected. */
async function projectedIn(pool: Pool, category: string): Promise<number> {
  const res = await pool.query(
    `SELECT coalesce(sum(events), 0)::int AS n FROM event_stats WHERE category = $1`,
    [category],
  );
  return res.rows[0].n as number;
}

describe('PROJECTIONS_MODE=worker', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('projects in exactly one worker process, and a standby takes over', async () => {
    const { env, api, pool, store } = await workerModeApi('kobatela-start-worker-');
    const projected = (category: string) => projectedIn(pool, category);
    try {
      await store.appendToStream(`wm1-${randomUUID()}`, [ev('wm.a.v1'), ev('wm.b.v1')], {
        expectedRevision: 'no_stream',
      });
      // Nothing projects in the API process in worker mode.
      const health = (await getJson(api.port!, '/health')).body;
      expect(health.projections_mode).toBe('worker');
      expect(await projected('wm1')).toBe(0);
      const [leader, standby] = await startTwoWorkers(env);
      await waitUntil(
        'the backlog to be projected',
        async () => ((await projected('wm1')) === 2 ? true : undefined),
        30_000,
      );
      expect([isActive(leader), isActive(standby)]).toEqual([true, false]);
      // Both are woken by the API's appends (a standby too: it is ready when it takes over).
      expect(await appendListeners(pool)).toBe(2);
      await stopCleanly(leader);
      expect(await appendListeners(pool)).toBe(1);
      await store.appendToStream(`wm2-${randomUUID()}`, [ev('wm.c.v1')], {
        expectedRevision: 'no_stream',
      });
      await waitUntil(
        'the standby to take over',
        () => (isActive(standby) ? true : undefined),
        30_000,
      );
      await waitUntil(
        'the standby to project',
        async () => ((await projected('wm2')) === 1 ? true : undefined),
        30_000,
      );
      expect(await projected('wm1')).toBe(2);
      await stopCleanly(standby);
    } finally {
      await pool.end();
    }
    await stopCleanly(api);
  });

  it('a standby takes over from a killed worker with no gap and no duplicate', async () => {
    const { env, api, pool, store } = await workerModeApi('kobatela-start-worker-kill-');
    const category = `wk${randomUUID().slice(0, 8)}`;
    const projected = () => projectedIn(pool, category);
    let appended = 0;
    const append = async (streams: number) => {
      appended += await appendPairs(store, category, streams);
    };
    try {
      // The worker that runs event_stats (the read model this test counts in) leads.
      const [leader, standby] = await startTwoWorkers(env, 'event_stats');
      await append(50);
      // Killed while it projects: appends go on before, during and after the takeover.
      const during = append(100);
      await waitUntil(
        'the leader to project some of it',
        async () => ((await projected()) > 0 ? true : undefined),
        30_000,
      );
      process.kill(leader.pid, 'SIGKILL');
      expect((await waitExit(leader, 30_000)).signal).toBe('SIGKILL');
      await during;
      await append(50);
      await waitUntil(
        'the standby to take over',
        () => (isActive(standby, 'event_stats') ? true : undefined),
        30_000,
      );
      await waitUntil(
        'every event to be projected',
        async () => ((await projected()) >= appended ? true : undefined),
        60_000,
      );
      // Exactly once: nothing lost at the kill, nothing applied twice by the standby.
      expect(appended).toBe(400);
      expect(await projected()).toBe(appended);
      await stopCleanly(standby);
    } finally {
      await pool.end();
    }
    await stopCleanly(api);
  }, 180_000);

  it('on SIGTERM the active worker commits its batch in flight, takes no other, and hands over', async () => {
    const BATCH = 20;
    const { env, api, pool, store } = await workerModeApi('kobatela-start-worker-term-', {
      PROJECTION_BATCH_SIZE: String(BATCH),
    });
    const category = `wt${randomUUID().slice(0, 8)}`;
    const inCategory = (e: { streamId: string }) => e.streamId.startsWith(`${category}-`);
    // The test holds event_stats' checkpoint row, so a batch that has read its events waits at
    // its first statement, in flight, for as long as the test wants.
    const holder = await pool.connect();
    const next = await pool.connect();
    const lockRow = `SELECT 1 FROM projection_checkpoints WHERE name = 'event_stats' FOR UPDATE`;
    try {
      // A backlog of several batches before any worker runs: the first batch is a full one.
      const appended = await appendPairs(store, category, 3 * BATCH);
      await holder.query('BEGIN');
      await holder.query(lockRow);
      const [leader, standby] = await startTwoWorkers(env, 'event_stats');
      await waitUntil(
        "the leader's first batch to be in flight",
        async () => ((await checkpointLockWaiters(pool)) === 1 ? true : undefined),
        30_000,
      );
      const from = await checkpointOf(pool, 'event_stats');
      const batch = await store.readAll({ fromPosition: from.position, maxCount: BATCH });
      expect(batch).toHaveLength(BATCH);
      const to = batch[BATCH - 1]!.position;
      process.kill(leader.pid, 'SIGTERM');
      await waitUntil(
        'the leader to take the signal',
        () => (leader.logs.some((l) => l.msg === 'stopping') ? true : undefined),
        30_000,
      );
      // Queued behind the leader's batch, the test takes the row again once that batch commits:
      // the standby's first batch then waits too, and the leader's hand-over can be looked at.
      await next.query('BEGIN');
      const retaken = next.query(lockRow);
      await waitUntil(
        'the test to queue behind the batch in flight',
        async () => ((await checkpointLockWaiters(pool)) === 2 ? true : undefined),
        30_000,
      );
      expect((await checkpointOf(pool, 'event_stats')).position).toEqual(from.position);
      await holder.query('ROLLBACK');
      await retaken;
      await exitedCleanly(leader);
      expect(leader.logs.map((l) => l.msg)).toEqual(
        expect.arrayContaining(['projector locks released', 'stopped']),
      );
      // The checkpoint moved after the signal, to the end of the batch in flight and no further,
      // and the read model holds exactly the events up to it.
      const handedOver = await checkpointOf(pool, 'event_stats');
      expect(handedOver.position).toEqual(to);
      expect(handedOver.eventsApplied).toBe(from.eventsApplied + BATCH);
      const upToCheckpoint = (await store.readAll({ maxCount: 10_000 })).filter(
        (e) => inCategory(e) && comparePositions(e.position, to) <= 0,
      );
      expect(upToCheckpoint.length).toBeLessThan(appended);
      expect(await projectedIn(pool, category)).toBe(upToCheckpoint.length);
      // The locks were released: the standby takes over and goes on from that checkpoint.
      await waitUntil(
        'the standby to take over',
        () => (isActive(standby, 'event_stats') ? true : undefined),
        30_000,
      );
      await next.query('ROLLBACK');
      const head = (await store.headPosition())!;
      await waitUntil(
        'the standby to project the rest',
        async () => {
          const at = await checkpointOf(pool, 'event_stats');
          return comparePositions(at.position, head) === 0 ? at : undefined;
        },
        60_000,
      );
      // No gap and no duplicate: every event applied once, across the two workers.
      const all = await store.readAll({ maxCount: 10_000 });
      expect((await checkpointOf(pool, 'event_stats')).eventsApplied).toBe(all.length);
      expect(await projectedIn(pool, category)).toBe(appended);
      expect(all.filter(inCategory)).toHaveLength(appended);
      await stopCleanly(standby, 'SIGTERM');
    } finally {
      holder.release();
      next.release();
      await pool.end();
    }
    await stopCleanly(api);
  }, 180_000);
});
