/**
 * The projection runner on a real PostgreSQL: batches that span many commands, checkpoint and
 * read-model writes in one transaction, two runners of one projector never double-applying
 * (checkpoint compare-and-set), parking an event a projector cannot apply (and replaying it once
 * fixed), halting a money-guarding projector on a broken invariant, bounded waits, rebuild into
 * fresh tables then switch, and worker mode's one-active-runner-per-projector advisory lock.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { AssertionError, assert } from '@kob/kernel';
import { PostgresEventStore, type RecordedEvent } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { type ReadModels, deferredWrite, eventStatsProjection } from '@kob/projections';
import { testDatabase, type TestDatabase } from '@test/test-db';
import { ProjectionRunner, type Projector, isInfrastructureFailure } from './projection-runner';
import { ProjectorWorker } from './projector-worker';

let tdb: TestDatabase;
let store: PostgresEventStore;

beforeAll(async () => {
  tdb = await testDatabase();
  store = new PostgresEventStore(tdb.pool);
});
afterAll(() => tdb.close());

async function seed(category: string, streams: number, perStream: number): Promise<void> {
  for (let s = 0; s < streams; s++) {
    const events = Array.from({ length: perStream }, (_, i) =>
      ev(i % 2 ? `${category}.odd.v1` : `${category}.even.v1`),
    );
    await store.appendToStream(`${category}-${randomUUID()}`, events, {
      expectedRevision: 'no_stream',
    });
  }
}

/** The independent fold: counts per (category, type) straight from the events table. */
async function foldCounts(category: string): Promise<Record<string, number>> {
  const res = await tdb.pool.query(
    `SELECT type, count(*)::int AS n FROM events WHERE stream_id LIKE $1 GROUP BY type`,
    [`${category}-%`],
  );
  return Object.fromEntries(res.rows.map((r) => [r.type, r.n]));
}

async function projectedCounts(category: string): Promise<Record<string, number>> {
  const res = await tdb.pool.query(
    `SELECT type, events::int AS n FROM event_stats WHERE category = $1`,
    [category],
  );
  return Object.fromEntries(res.rows.map((r) => [r.type, r.n]));
}

describe('projection runner', () => {
  it('projects in batches across commands and commits the checkpoint with the writes', async () => {
    await seed('batch', 30, 3);
    const batches: number[] = [];
    const runner = new ProjectionRunner(store, tdb.db, [eventStatsProjection], {
      batchSize: 16,
      onBatch: (_n, events) => batches.push(events),
    });
    await runner.init();
    await runner.catchUp();
    expect(await projectedCounts('batch')).toEqual(await foldCounts('batch'));
    expect(Math.max(...batches)).toBe(16);
    const [status] = await runner.status();
    expect(status!.status).toBe('running');
    // Replaying from the stored checkpoint applies nothing twice.
    const again = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
    await again.init();
    expect(await again.catchUp()).toBe(0);
    expect(await projectedCounts('batch')).toEqual(await foldCounts('batch'));
  });

  it("reports each projector's own time for a round, not an even share of it", async () => {
    await seed('cost', 3, 2);
    const slow: Projector<ReadModels> = {
      name: 'slow_cost',
      version: 1,
      tables: [],
      async apply(trx: Transaction<any>) {
        await sql`SELECT pg_sleep(0.2)`.execute(trx);
      },
    };
    const fast: Projector<ReadModels> = {
      name: 'fast_cost',
      version: 1,
      tables: [],
      apply: async () => {},
    };
    const ms = new Map<string, number>();
    const runner = new ProjectionRunner(store, tdb.db, [slow, fast], {
      onBatch: (name, _events, took) => ms.set(name, (ms.get(name) ?? 0) + took),
    });
    await runner.init();
    await runner.catchUp();
    expect(ms.get('slow_cost')).toBeGreaterThanOrEqual(200);
    expect(ms.get('fast_cost')).toBeLessThan(100);
  });

  it("sends a round's deferred writes without waiting, unless deferral is off (PROJECTION_DEFERRED_WRITES)", async () => {
    await seed('defer', 2, 2);
    // The write takes 200 ms in PostgreSQL: a projector that waits for it spends them itself.
    const writer = (name: string): Projector<ReadModels> => ({
      name,
      version: 1,
      tables: [],
      async apply(trx: Transaction<any>) {
        await deferredWrite(trx, sql`SELECT pg_sleep(0.2)`);
      },
    });
    // Three that write nothing share the round's checkpoint update and COMMIT with the writer
    // (each is reported its own time plus an even share of those).
    const idle = (name: string): Projector<ReadModels> => ({
      name,
      version: 1,
      tables: [],
      apply: async () => {},
    });
    const timed = async (deferWrites: boolean | undefined, name: string) => {
      const ms = new Map<string, number>();
      const others = [1, 2, 3].map((i) => idle(`${name}_idle${i}`));
      const runner = new ProjectionRunner(store, tdb.db, [writer(name), ...others], {
        ...(deferWrites === undefined ? {} : { deferWrites }),
        onBatch: (n, _events, took) => ms.set(n, (ms.get(n) ?? 0) + took),
      });
      await runner.init();
      const started = performance.now();
      await runner.catchUp();
      return { projector: ms.get(name)!, round: performance.now() - started };
    };
    const deferred = await timed(undefined, 'deferring_writer');
    const waited = await timed(false, 'waiting_writer');
    // Deferred (the default): the projector goes on at once and the COMMIT waits for the write
    // (a quarter of which is reported as the writer's share).
    expect(deferred.projector).toBeLessThan(100);
    expect(deferred.round).toBeGreaterThanOrEqual(200);
    // Off: the projector itself waits for its write, so its own time includes the write's.
    expect(waited.projector).toBeGreaterThanOrEqual(200);
  });

  it('never double-applies when two runners of the same projector race', async () => {
    await seed('race', 40, 5);
    const runners = [0, 1, 2].map(
      () =>
        new ProjectionRunner(
          new PostgresEventStore(tdb.newPool(2)),
          tdb.db,
          [eventStatsProjection],
          { batchSize: 7 },
        ),
    );
    for (const r of runners) await r.init();
    await Promise.all(runners.map((r) => r.catchUp()));
    await runners[0]!.catchUp();
    expect(await projectedCounts('race')).toEqual(await foldCounts('race'));
  });

  it('waits for a position, bounded, and the live loop wakes on appends', async () => {
    const runner = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
    await runner.init();
    await runner.catchUp();
    const appended = await store.appendToStream(`wait-${randomUUID()}`, [ev('wait.x.v1')], {
      expectedRevision: 'no_stream',
    });
    expect(await runner.waitFor(appended.position, 0)).toBe(false);
    runner.start();
    expect(await runner.waitFor(appended.position, 5000)).toBe(true);
    expect(await projectedCounts('wait')).toEqual({ 'wait.x.v1': 1 });
    await runner.stop();
  });

  it('halts a money-guarding projector whose invariant breaks, shows why, and resumes after a rebuild', async () => {
    const counted: Projector<ReadModels> = {
      name: 'strict_counter',
      version: 1,
      tables: ['event_stats'],
      guardsMoney: true,
      async apply(trx: Transaction<any>, events: readonly RecordedEvent[]) {
        for (const e of events) {
          if (e.type === 'halt.poison.v1')
            throw new AssertionError('ledger invariant broken: poison event');
        }
        await eventStatsProjection.apply(trx, events);
      },
    };
    const statsOnly = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
    await statsOnly.init();
    await statsOnly.catchUp();
    const runner = new ProjectionRunner(store, tdb.db, [counted], { batchSize: 50 });
    await runner.init({ rebuildOutdated: false });
    const poisoned = await store.appendToStream(
      `halt-${randomUUID()}`,
      [ev('halt.ok.v1'), ev('halt.poison.v1')],
      {
        expectedRevision: 'no_stream',
      },
    );
    await runner.catchUp();
    const status = (await runner.status()).find((s) => s.name === 'strict_counter')!;
    expect(status.status).toBe('halted');
    expect(status.haltedReason).toContain('poison');
    expect(await runner.waitFor(poisoned.position, 1000)).toBe(false);
    // The fixed projector (new version) is rebuilt from the start and runs again.
    const fixed: Projector<ReadModels> = {
      ...eventStatsProjection,
      name: 'strict_counter',
      version: 2,
    };
    const healed = new ProjectionRunner(store, tdb.db, [fixed]);
    await healed.init();
    const after = (await healed.status()).find((s) => s.name === 'strict_counter')!;
    expect(after).toMatchObject({ status: 'running', version: 2, haltedReason: null });
    expect(await healed.waitFor(poisoned.position, 1000)).toBe(true);
    // It rebuilt event_stats (the table it owns) from every event: the fold matches.
    expect(await projectedCounts('halt')).toEqual(await foldCounts('halt'));
    expect(await projectedCounts('batch')).toEqual(await foldCounts('batch'));
  });

  it('rebuilds into fresh tables and switches, including events appended meanwhile', async () => {
    await seed('rebuild', 20, 4);
    const runner = new ProjectionRunner(store, tdb.db, [eventStatsProjection], { batchSize: 25 });
    await runner.init();
    await runner.catchUp();
    await sql`UPDATE event_stats SET events = events + 1000 WHERE category = 'rebuild'`.execute(
      tdb.db,
    );
    let appendedDuringRebuild = false;
    const applied = await runner.rebuild(eventStatsProjection, () => {
      if (appendedDuringRebuild) return;
      appendedDuringRebuild = true;
      void store.appendToStream(`rebuild-${randomUUID()}`, [ev('rebuild.late.v1')], {
        expectedRevision: 'no_stream',
      });
    });
    assert(applied > 0, 'rebuild applied events');
    await runner.catchUp();
    expect(await projectedCounts('rebuild')).toEqual(await foldCounts('rebuild'));
    const schemas = await tdb.pool.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`,
    );
    expect(schemas.rows).toEqual([]);
    const pk = await tdb.pool.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = 'event_stats'`,
    );
    expect(pk.rows.length).toBeGreaterThan(0);
  });

  it('runs each projector in exactly one worker; a standby takes over when the active stops', async () => {
    const a = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
    const b = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
    await a.init();
    await b.init();
    const wa = new ProjectorWorker(tdb.newPool(3), a, [eventStatsProjection], {
      standbyPollMs: 50,
    });
    const wb = new ProjectorWorker(tdb.newPool(3), b, [eventStatsProjection], {
      standbyPollMs: 50,
    });
    await wa.start();
    await wb.start();
    expect(wa.activeProjectors()).toEqual(['event_stats']);
    expect(wb.activeProjectors()).toEqual([]);
    await wa.stop();
    const appended = await store.appendToStream(`worker-${randomUUID()}`, [ev('worker.x.v1')], {
      expectedRevision: 'no_stream',
    });
    expect(await b.waitFor(appended.position, 10_000)).toBe(true);
    expect(wb.activeProjectors()).toEqual(['event_stats']);
    expect(await projectedCounts('worker')).toEqual({ 'worker.x.v1': 1 });
    await wb.stop();
  });

  it('stops the live loop between batches: the batch in flight commits, no other starts', async () => {
    await seed('stopping', 10, 2);
    let entered!: () => void;
    const inFlight = new Promise<void>((resolve) => (entered = resolve));
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow: Projector<ReadModels> = {
      name: 'stopping_slow',
      version: 1,
      tables: [],
      async apply() {
        entered();
        await gate;
      },
    };
    const ahead: Projector<ReadModels> = {
      name: 'stopping_ahead',
      version: 1,
      tables: [],
      apply: async () => {},
    };
    const applied = async () => {
      const res = await tdb.pool.query(
        `SELECT name, events_applied::int AS n FROM projection_checkpoints WHERE name = ANY($1)`,
        [[slow.name, ahead.name]],
      );
      return Object.fromEntries(res.rows.map((r) => [r.name, r.n]));
    };
    // stopping_ahead stands a batch further: the round has two groups, hence two batches.
    const early = new ProjectionRunner(store, tdb.db, [ahead], { batchSize: 5 });
    await early.init();
    expect(await early.runBatch(ahead)).toBe(5);
    const runner = new ProjectionRunner(store, tdb.db, [slow, ahead], { batchSize: 5 });
    await runner.init();
    runner.start();
    await inFlight;
    const stopping = runner.stop();
    finish();
    await stopping;
    expect(await applied()).toEqual({ stopping_slow: 5, stopping_ahead: 5 });
  });

  describe('under failures and races (review findings)', () => {
    const rowsProjector = (
      name: string,
      extra?: (trx: Transaction<any>) => Promise<void>,
    ): Projector<ReadModels> => ({
      name,
      version: 1,
      tables: ['probe_rows'],
      async apply(trx, events) {
        await extra?.(trx);
        for (const e of events) {
          await sql`INSERT INTO probe_rows (event_id, type) VALUES (${e.id}, ${e.type})`.execute(
            trx,
          );
        }
      },
    });

    beforeAll(async () => {
      await sql`CREATE TABLE IF NOT EXISTS probe_rows (event_id uuid PRIMARY KEY, type text NOT NULL)`.execute(
        tdb.db,
      );
    });

    it('serialises two racing runners of a one-row-per-event projector without halting', async () => {
      await seed('rowrace', 30, 4);
      const projector = rowsProjector('probe_rows_race');
      const runners = [0, 1].map(
        () =>
          new ProjectionRunner(new PostgresEventStore(tdb.newPool(2)), tdb.db, [projector], {
            batchSize: 9,
          }),
      );
      for (const r of runners) await r.init();
      await Promise.all(runners.map((r) => r.catchUp()));
      const [status] = (await runners[0]!.status()).filter((s) => s.name === 'probe_rows_race');
      expect(status!.status).toBe('running');
      const count = await tdb.pool.query('SELECT count(*)::int AS n FROM probe_rows');
      const events = await tdb.pool.query('SELECT count(*)::int AS n FROM events');
      expect(count.rows[0].n).toBe(events.rows[0].n);
    });

    it('retries after a lost connection instead of halting', async () => {
      let killed = false;
      const projector: Projector<ReadModels> = {
        ...eventStatsProjection,
        name: 'stats_conn_loss',
        tables: [],
        async apply(trx, events) {
          if (!killed) {
            killed = true;
            await sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(trx);
          }
          await eventStatsProjection.apply(trx, events);
        },
      };
      const logs: string[] = [];
      const runner = new ProjectionRunner(store, tdb.db, [projector], { log: (m) => logs.push(m) });
      await runner.init();
      const appended = await store.appendToStream(`connloss-${randomUUID()}`, [ev('connloss.v1')], {
        expectedRevision: 'no_stream',
      });
      runner.start();
      expect(await runner.waitFor(appended.position, 15_000)).toBe(true);
      await runner.stop();
      expect(killed).toBe(true);
      expect(logs).toContain('projection batch failed, will retry');
      const [status] = (await runner.status()).filter((st) => st.name === 'stats_conn_loss');
      expect(status).toMatchObject({ status: 'running', retrying: null });
    });

    it('runs one rebuild at a time across processes and ends with the exact fold', async () => {
      await seed('dualrebuild', 50, 6);
      const projector: Projector<ReadModels> = {
        ...eventStatsProjection,
        name: 'event_stats',
        version: 1,
      };
      const a = new ProjectionRunner(new PostgresEventStore(tdb.newPool(3)), tdb.db, [projector], {
        batchSize: 40,
      });
      const b = new ProjectionRunner(new PostgresEventStore(tdb.newPool(3)), tdb.db, [projector], {
        batchSize: 40,
      });
      await a.init();
      await b.init();
      await Promise.all([a.rebuild(projector), b.rebuild(projector)]);
      await a.catchUp();
      expect(await projectedCounts('dualrebuild')).toEqual(await foldCounts('dualrebuild'));
      expect(await projectedCounts('batch')).toEqual(await foldCounts('batch'));
      const schemas = await tdb.pool.query(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild_%'`,
      );
      expect(schemas.rows).toEqual([]);
    });

    it('leaves a projector whose stored version is newer to the newer code', async () => {
      const v1: Projector<ReadModels> = {
        ...eventStatsProjection,
        name: 'stats_rolling',
        tables: [],
        version: 1,
      };
      const v2: Projector<ReadModels> = { ...v1, version: 2 };
      await new ProjectionRunner(store, tdb.db, [v2]).init();
      const old = new ProjectionRunner(store, tdb.db, [v1]);
      await old.init();
      const appended = await store.appendToStream(`rolling-${randomUUID()}`, [ev('rolling.v1')], {
        expectedRevision: 'no_stream',
      });
      expect(await old.catchUp()).toBe(0);
      const [row] = (await old.status()).filter((st) => st.name === 'stats_rolling');
      expect(row!.version).toBe(2);
      // The old process does not wait for a projector it does not run.
      expect(await old.waitFor(appended.position, 0)).toBe(true);
    });

    it('follows the checkpoints another process commits when it runs no projections itself', async () => {
      const follower = new ProjectionRunner(store, tdb.db, [eventStatsProjection]);
      const worker = new ProjectionRunner(new PostgresEventStore(tdb.newPool(2)), tdb.db, [
        eventStatsProjection,
      ]);
      await follower.init();
      await worker.init();
      await worker.catchUp();
      const appended = await store.appendToStream(`follow-${randomUUID()}`, [ev('follow.v1')], {
        expectedRevision: 'no_stream',
      });
      const waiting = follower.waitFor(appended.position, 10_000);
      await worker.catchUp();
      const started = Date.now();
      expect(await waiting).toBe(true);
      expect(Date.now() - started).toBeLessThan(2_000);
    });
  });

  describe('parking an event a projector cannot apply', () => {
    /** One row per event, refusing (with a constraint, as a real projector would) types marked bad. */
    const picky = (name: string, bad: Set<string>): Projector<ReadModels> => ({
      name,
      version: 1,
      tables: ['park_rows'],
      async apply(trx, events) {
        for (const e of events) {
          await sql`INSERT INTO park_rows (projector, event_id, type) VALUES (${name}, ${e.id}, ${bad.has(e.type) ? null : e.type})`.execute(
            trx,
          );
        }
      },
    });
    const rows = async (name: string) =>
      (
        await tdb.pool.query('SELECT event_id FROM park_rows WHERE projector = $1', [name])
      ).rows.map((r) => r.event_id as string);
    const parkedRows = async (name: string) =>
      (
        await tdb.pool.query(
          'SELECT event_id, error, replayed_at FROM projection_parked_events WHERE projector = $1 ORDER BY position_pos',
          [name],
        )
      ).rows;

    beforeAll(async () => {
      await sql`CREATE TABLE IF NOT EXISTS park_rows (projector text NOT NULL, event_id uuid NOT NULL, type text NOT NULL,
                PRIMARY KEY (projector, event_id))`.execute(tdb.db);
    });

    it('parks exactly the events it cannot apply, applies the rest of the batch, reports each once, and goes on', async () => {
      const projector = picky('park_live', new Set(['park.poison.v1']));
      const reports: string[] = [];
      const runner = new ProjectionRunner(store, tdb.db, [projector, eventStatsProjection], {
        batchSize: 50,
        onPark: (name, p) => {
          reports.push(`${name}:${p.event.id}`);
        },
      });
      await runner.init();
      await runner.catchUp();
      const stream = `park-${randomUUID()}`;
      const types = [
        'park.ok.v1',
        'park.poison.v1',
        'park.ok.v1',
        'park.ok.v1',
        'park.poison.v1',
        'park.ok.v1',
        'park.ok.v1',
      ];
      const appended = await store.appendToStream(
        stream,
        types.map((t) => ev(t)),
        { expectedRevision: 'no_stream' },
      );
      const events = await store.readStream(stream);
      await runner.catchUp();
      const poison = events.filter((e) => e.type === 'park.poison.v1').map((e) => e.id);
      const good = events.filter((e) => e.type !== 'park.poison.v1').map((e) => e.id);
      const mine = async () =>
        (await rows('park_live')).filter((id) => events.some((e) => e.id === id));
      expect((await mine()).sort()).toEqual([...good].sort());
      expect((await parkedRows('park_live')).map((r) => r.event_id)).toEqual(poison);
      expect((await parkedRows('park_live'))[0].error).toContain('null value');
      expect(reports).toEqual(poison.map((id) => `park_live:${id}`));
      const status = (await runner.status()).find((st) => st.name === 'park_live')!;
      expect(status).toMatchObject({ status: 'running', parked: 2 });
      // The command whose events were parked is not in that read model: a wait for it says so
      // (here and, strictly, in another process); one that does not read it is not held.
      expect(await runner.waitFor(appended.position, 1000)).toBe(false);
      expect(await runner.waitFor(appended.position, 1000, { projectors: ['event_stats'] })).toBe(
        true,
      );
      const elsewhere = new ProjectionRunner(store, tdb.db, [projector, eventStatsProjection], {
        batchSize: 50,
      });
      await elsewhere.init();
      expect(await elsewhere.waitFor(appended.position, 1000, { strict: true })).toBe(false);
      expect(await projectedCounts('park')).toEqual(await foldCounts('park'));
      // Later events keep flowing.
      const later = await store.appendToStream(stream, [ev('park.ok.v1')], {
        expectedRevision: appended.nextRevision,
      });
      await runner.catchUp();
      expect(await runner.waitFor(later.position, 1000)).toBe(true);
      expect(await rows('park_live')).toContain((await store.readStream(stream)).at(-1)!.id);
    });

    it('replays parked events once the projector is fixed, and keeps reporting what still fails', async () => {
      const bad = new Set(['replay.a.v1', 'replay.b.v1']);
      const projector = picky('park_replay', bad);
      const runner = new ProjectionRunner(store, tdb.db, [projector], { batchSize: 50 });
      await runner.init();
      await runner.catchUp();
      const stream = `replay-${randomUUID()}`;
      await store.appendToStream(
        stream,
        [ev('replay.a.v1'), ev('replay.ok.v1'), ev('replay.b.v1')],
        { expectedRevision: 'no_stream' },
      );
      const [a, , b] = await store.readStream(stream);
      await runner.catchUp();
      expect((await parkedRows('park_replay')).map((r) => r.event_id)).toEqual([a!.id, b!.id]);
      // "Fixed" for one of the two types only.
      bad.delete('replay.a.v1');
      const first = await runner.replayParked(projector);
      expect(first.replayed).toEqual([a!.id]);
      expect(first.failed.map((f) => f.event.id)).toEqual([b!.id]);
      expect(await rows('park_replay')).toContain(a!.id);
      const afterFirst = await parkedRows('park_replay');
      expect(afterFirst.find((r) => r.event_id === a!.id)!.replayed_at).not.toBeNull();
      expect(afterFirst.find((r) => r.event_id === b!.id)!.replayed_at).toBeNull();
      expect((await runner.status()).find((st) => st.name === 'park_replay')!.parked).toBe(1);
      bad.clear();
      const second = await runner.replayParked(projector, { eventId: b!.id });
      expect(second).toEqual({ replayed: [b!.id], failed: [] });
      expect((await runner.status()).find((st) => st.name === 'park_replay')!.parked).toBe(0);
      expect(await rows('park_replay')).toEqual(expect.arrayContaining([a!.id, b!.id]));
    });

    it('parks during a rebuild too, and a rebuild with fixed code clears the parked list', async () => {
      const bad = new Set(['rebuildpark.bad.v1']);
      const projector = picky('park_rebuild', bad);
      const runner = new ProjectionRunner(store, tdb.db, [projector], { batchSize: 50 });
      await runner.init();
      await store.appendToStream(
        `rebuildpark-${randomUUID()}`,
        [ev('rebuildpark.ok.v1'), ev('rebuildpark.bad.v1')],
        {
          expectedRevision: 'no_stream',
        },
      );
      await runner.catchUp();
      const parkedBefore = (await parkedRows('park_rebuild')).map((r) => r.event_id);
      expect(parkedBefore).toHaveLength(1);
      await runner.rebuild(projector);
      expect((await parkedRows('park_rebuild')).map((r) => r.event_id)).toEqual(parkedBefore);
      expect((await runner.status()).find((st) => st.name === 'park_rebuild')).toMatchObject({
        status: 'running',
        parked: 1,
      });
      bad.clear();
      await runner.rebuild(projector);
      expect(await parkedRows('park_rebuild')).toEqual([]);
      expect(await rows('park_rebuild')).toEqual(expect.arrayContaining(parkedBefore));
    });

    it('replays a parked event once when two replays race (review finding: it was applied twice)', async () => {
      await sql`CREATE TABLE IF NOT EXISTS replay_counter (k text PRIMARY KEY, n int NOT NULL)`.execute(
        tdb.db,
      );
      let fail = true;
      const counter: Projector<ReadModels> = {
        name: 'replay_counter',
        version: 1,
        tables: ['replay_counter'],
        async apply(trx, events) {
          for (const e of events) {
            if (e.type !== 'cnt.x.v1') continue;
            if (fail) throw new Error('bug');
            await sql`INSERT INTO replay_counter (k, n) VALUES ('x', 1) ON CONFLICT (k) DO UPDATE SET n = replay_counter.n + 1`.execute(
              trx,
            );
          }
        },
      };
      const runner = new ProjectionRunner(store, tdb.db, [counter], { batchSize: 50 });
      await runner.init();
      await runner.catchUp();
      await store.appendToStream(`cnt-${randomUUID()}`, [ev('cnt.x.v1')], {
        expectedRevision: 'no_stream',
      });
      await runner.catchUp();
      fail = false;
      const other = new ProjectionRunner(
        new PostgresEventStore(tdb.newPool(2)),
        tdb.db,
        [counter],
        { batchSize: 50 },
      );
      const [a, b] = await Promise.all([runner.replayParked(counter), other.replayParked(counter)]);
      expect(a.replayed.length + b.replayed.length).toBe(1);
      expect(
        (await sql<{ n: number }>`SELECT n FROM replay_counter WHERE k = 'x'`.execute(tdb.db))
          .rows[0]?.n,
      ).toBe(1);
    });

    it('retries, never parks, when the database is not set up as the code expects (a missing table)', async () => {
      const broken: Projector<ReadModels> = {
        name: 'park_missing_table',
        version: 1,
        tables: [],
        async apply(trx, events) {
          if (events.length > 0)
            await sql`INSERT INTO no_such_table_here (x) VALUES (1)`.execute(trx);
        },
      };
      const logs: string[] = [];
      const runner = new ProjectionRunner(store, tdb.db, [broken], {
        batchSize: 50,
        log: (m) => logs.push(m),
      });
      await runner.init();
      await store.appendToStream(`setup-${randomUUID()}`, [ev('setup.x.v1')], {
        expectedRevision: 'no_stream',
      });
      await runner.runRound();
      const status = (await runner.status()).find((st) => st.name === 'park_missing_table')!;
      expect(status).toMatchObject({ status: 'running', parked: 0 });
      expect(status.retrying).toMatch(/no_such_table_here/);
      expect(logs).toContain('projection batch failed, will retry');
    });

    it('waits only for the projectors named, so a halted one does not hold an answer that does not read it', async () => {
      const halting: Projector<ReadModels> = {
        ...picky('park_halting', new Set(['onlywait.bad.v1'])),
        guardsMoney: true,
      };
      const runner = new ProjectionRunner(store, tdb.db, [halting, eventStatsProjection], {
        batchSize: 50,
      });
      await runner.init();
      await runner.catchUp();
      const appended = await store.appendToStream(
        `onlywait-${randomUUID()}`,
        [ev('onlywait.bad.v1')],
        { expectedRevision: 'no_stream' },
      );
      await runner.catchUp();
      expect((await runner.status()).find((st) => st.name === 'park_halting')!.status).toBe(
        'halted',
      );
      expect(await runner.waitFor(appended.position, 200)).toBe(false);
      expect(await runner.waitFor(appended.position, 1000, { projectors: ['event_stats'] })).toBe(
        true,
      );
      await expect(runner.waitFor(appended.position, 0, { projectors: ['nope'] })).rejects.toThrow(
        'unknown projector',
      );
    });

    it('does not hold a wait on a halted projector that reads none of the streams the command wrote', async () => {
      const halting: Projector<ReadModels> = {
        ...picky('park_halting_cat', new Set(['catwait.bad.v1'])),
        guardsMoney: true,
        streamCategories: ['catwait'],
      };
      const runner = new ProjectionRunner(store, tdb.db, [halting, eventStatsProjection], {
        batchSize: 50,
      });
      await runner.init();
      await runner.catchUp();
      const own = await store.appendToStream(`catwait-${randomUUID()}`, [ev('catwait.bad.v1')], {
        expectedRevision: 'no_stream',
      });
      await runner.catchUp();
      expect((await runner.status()).find((st) => st.name === 'park_halting_cat')!.status).toBe(
        'halted',
      );
      // A command on one of its streams: held (pending); on another stream: answered.
      expect(await runner.waitFor(own.position, 200)).toBe(false);
      const other = await store.appendToStream(`othercat-${randomUUID()}`, [ev('othercat.x.v1')], {
        expectedRevision: 'no_stream',
      });
      await runner.catchUp();
      expect(await runner.waitFor(other.position, 2000)).toBe(true);
      // Several streams in one transaction: held if any is one it reads.
      const [, mixed] = await store.appendMulti([
        {
          streamId: `othercat-${randomUUID()}`,
          events: [ev('othercat.x.v1')],
          expectedRevision: 'no_stream',
        },
        {
          streamId: `catwait-${randomUUID()}`,
          events: [ev('catwait.ok.v1')],
          expectedRevision: 'no_stream',
        },
      ]);
      await runner.catchUp();
      expect(await runner.waitFor(mixed!.position, 200)).toBe(false);
    });
  });
});

describe('what the runner retries rather than parks or halts on', () => {
  it('retries a lost connection (EPIPE, which looks like a SQLSTATE), a deadlock and a timeout; not a value it cannot store', () => {
    const err = (code: string, extra: Record<string, unknown> = {}) =>
      Object.assign(new Error(code), { code, ...extra });
    expect(isInfrastructureFailure(err('EPIPE', { syscall: 'write' }))).toBe(true);
    expect(isInfrastructureFailure(err('ECONNRESET'))).toBe(true);
    expect(isInfrastructureFailure(err('57P01'))).toBe(true);
    expect(isInfrastructureFailure(err('40P01'))).toBe(true);
    expect(isInfrastructureFailure(err('57014'))).toBe(true);
    expect(isInfrastructureFailure(err('22P05'))).toBe(false);
    expect(isInfrastructureFailure(err('23502'))).toBe(false);
    expect(isInfrastructureFailure(err('ENOENT', { syscall: 'open' }))).toBe(false);
  });
});
