/**
 * The harness of the projector property specs (issue 12: no data any client can send halts a
 * projector). One test database per spec file, the real PostgresEventStore and the real
 * ProjectionRunner with every projector of `allProjectors`, as the API runs them. `project(run)`
 * appends a run's events, applies them through the runner and checks what must hold whatever the
 * data:
 * - a copy of one append with a character jsonb refuses (NUL, a lone surrogate) is refused by
 *   the store with `UnstorableEventError` and stores nothing: such values are never in an event,
 *   so only the storable originals are fed to the projectors;
 * - no projector halts (`projection_checkpoints.status` stays `running`), every checkpoint
 *   reaches the head of `$all` and every projector counts every event of the run as applied;
 * - nothing is parked (a parking table, once the runner has one, stays empty: a parked event
 *   would be a failure of the property too);
 * - the audit trail has one row per event, holding exactly the masked data, and event_stats
 *   counts each event once.
 * After a failed run the harness moves every projector past that run, so the next run (fast-check
 * shrinking the failure) starts healthy and the counterexample reported is the real one.
 */
import { sql } from 'kysely';
import {
  type NewEvent,
  type Position,
  PostgresEventStore,
  type RecordedEvent,
  UnstorableEventError,
} from '@kob/event-store';
import { ProjectionRunner } from '@kob/platform';
import { maskAuditData } from '@kob/projections';
import { streamCategory } from '@kob/projections';
import { allProjectors } from '@kob/projections';
import { holdsUnstorable } from './hostile-values';
import { testDatabase, type TestDatabase } from './test-db';

/** One stream's events of a run, appended in one call (revision `any`: runs may add to a stream). */
export interface RunAppend {
  streamId: string;
  events: NewEvent[];
}

/** A character jsonb refuses, put into the `pick`-th string of one append's data (a copy). */
export interface Injection {
  append: number;
  pick: number;
  char: string;
}

export interface ProjectorHarness {
  tdb: TestDatabase;
  store: PostgresEventStore;
  runner: ProjectionRunner;
  /** Appends and projects a run, checks the invariants above; returns the recorded events. */
  project(appends: readonly RunAppend[], injection?: Injection | null): Promise<RecordedEvent[]>;
  close(): Promise<void>;
}

interface CheckpointRow {
  name: string;
  status: string;
  halted_reason: string | null;
  tx: string;
  pos: string;
  applied: string;
}

export async function openProjectorHarness(): Promise<ProjectorHarness> {
  const tdb = await testDatabase();
  const store = new PostgresEventStore(tdb.pool);
  const runner = new ProjectionRunner(store, tdb.db, allProjectors);
  await runner.init();
  const harness: ProjectorHarness = {
    tdb,
    store,
    runner,
    async project(appends, injection) {
      if (injection) await expectRefused(store, tdb, appends, injection);
      const before = await checkpoints(tdb);
      const statsBefore = await eventStats(tdb);
      const ids: string[] = [];
      for (const a of appends) {
        if (a.events.length === 0) continue;
        await store.appendToStream(a.streamId, a.events, { expectedRevision: 'any' });
        ids.push(...a.events.map((e) => e.id));
      }
      try {
        await runner.catchUp();
        const recorded = await recordedEvents(tdb, store, ids);
        await expectAllApplied(tdb, store, before, recorded.length);
        await expectAudited(tdb, recorded);
        await expectCounted(tdb, statsBefore, recorded);
        return recorded;
      } catch (err) {
        await resetAfterFailure(tdb, runner);
        throw err;
      }
    },
    close: () => tdb.close(),
  };
  return harness;
}

/** The append with one character jsonb refuses is refused whole: the store is unchanged. */
async function expectRefused(
  store: PostgresEventStore,
  tdb: TestDatabase,
  appends: readonly RunAppend[],
  injection: Injection,
): Promise<void> {
  const candidates = appends.filter((a) => a.events.length > 0);
  if (candidates.length === 0) return;
  const target = candidates[injection.append % candidates.length]!;
  const events = target.events.map((e) => ({
    ...e,
    data: JSON.parse(JSON.stringify(e.data)) as unknown,
  }));
  const slots = events.flatMap((e, i) =>
    stringSlots(e.data).map((slot) => ({ ...slot, event: i })),
  );
  if (slots.length === 0) return;
  const slot = slots[injection.pick % slots.length]!;
  slot.set(`${slot.value}${injection.char}`);
  expect(holdsUnstorable(events.map((e) => e.data))).toBe(true);
  const count = async () =>
    (await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(tdb.db)).rows[0]!.n;
  const before = await count();
  await expect(
    store.appendToStream(target.streamId, events, { expectedRevision: 'any' }),
  ).rejects.toThrow(UnstorableEventError);
  expect(await count()).toBe(before);
}

/** Every string value in `data` with a setter that replaces it in place. */
function stringSlots(data: unknown): { value: string; set: (v: string) => void }[] {
  const out: { value: string; set: (v: string) => void }[] = [];
  const stack: unknown[] = [data];
  for (let steps = 0; stack.length > 0 && steps < 1_000_000; steps++) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    for (const [key, value] of Object.entries(node)) {
      const container = node as Record<string, unknown>;
      if (typeof value === 'string') out.push({ value, set: (v) => (container[key] = v) });
      else stack.push(value);
    }
  }
  return out;
}

async function checkpoints(tdb: TestDatabase): Promise<Map<string, CheckpointRow>> {
  const res = await sql<CheckpointRow>`
    SELECT name, status, halted_reason, checkpoint_tx::text AS tx, checkpoint_pos::text AS pos,
           events_applied::text AS applied
    FROM projection_checkpoints`.execute(tdb.db);
  return new Map(res.rows.map((r) => [r.name, r]));
}

async function recordedEvents(
  tdb: TestDatabase,
  store: PostgresEventStore,
  ids: readonly string[],
): Promise<RecordedEvent[]> {
  if (ids.length === 0) return [];
  const first = await sql<{ tx: string; pos: string }>`
    SELECT transaction_id::text AS tx, (position - 1)::text AS pos FROM events
    WHERE event_id = ANY(${ids}::uuid[]) ORDER BY transaction_id, position LIMIT 1`.execute(tdb.db);
  const from: Position = { tx: BigInt(first.rows[0]!.tx), pos: BigInt(first.rows[0]!.pos) };
  const wanted = new Set(ids);
  const events = await store.readAll({ fromPosition: from, maxCount: ids.length + 1_000 });
  return events.filter((e) => wanted.has(e.id));
}

/** No projector halted, every one reached the head and counted the run's events once each. */
async function expectAllApplied(
  tdb: TestDatabase,
  store: PostgresEventStore,
  before: Map<string, CheckpointRow>,
  runEvents: number,
): Promise<void> {
  const head = await store.headPosition();
  const after = await checkpoints(tdb);
  const states = allProjectors.map((p) => {
    const row = after.get(p.name)!;
    return {
      projector: p.name,
      status: row.status,
      haltedReason: row.halted_reason,
      atHead: head === null || (BigInt(row.tx) === head.tx && BigInt(row.pos) === head.pos),
      applied: Number(BigInt(row.applied) - BigInt(before.get(p.name)!.applied)),
    };
  });
  const expected = allProjectors.map((p) => ({
    projector: p.name,
    status: 'running',
    haltedReason: null,
    atHead: true,
    applied: runEvents,
  }));
  expect(states).toEqual(expected);
  await expectNothingParked(tdb);
}

/**
 * A table for parked events (another change adds one to the runner) must stay empty: the
 * property holds without parking. Found by name, so this check needs no change when it lands.
 */
export async function expectNothingParked(tdb: TestDatabase): Promise<void> {
  const tables = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_name LIKE '%park%'`.execute(tdb.db);
  for (const { table_name } of tables.rows) {
    const n = await sql<{
      n: string;
    }>`SELECT count(*)::text AS n FROM ${sql.table(table_name)}`.execute(tdb.db);
    expect({ table: table_name, rows: n.rows[0]!.n }).toEqual({ table: table_name, rows: '0' });
  }
}

/** One audit row per event, its data exactly the masked data (well-formed, as jsonb took it). */
async function expectAudited(tdb: TestDatabase, recorded: readonly RecordedEvent[]): Promise<void> {
  if (recorded.length === 0) return;
  const res = await sql<{ event_id: string; data: unknown }>`
    SELECT event_id, data FROM audit_log WHERE event_id = ANY(${recorded.map((e) => e.id)}::uuid[])`.execute(
    tdb.db,
  );
  const rows = new Map(res.rows.map((r) => [r.event_id, r.data]));
  for (const e of recorded) {
    expect(rows.has(e.id)).toBe(true);
    expect(rows.get(e.id)).toEqual(JSON.parse(JSON.stringify(maskAuditData(e.data))));
  }
}

async function eventStats(tdb: TestDatabase): Promise<Map<string, bigint>> {
  const res = await sql<{ category: string; type: string; events: string }>`
    SELECT category, type, events::text AS events FROM event_stats`.execute(tdb.db);
  return new Map(res.rows.map((r) => [`${r.category}\n${r.type}`, BigInt(r.events)]));
}

/** event_stats grew by exactly the run's events, per stream category and type. */
async function expectCounted(
  tdb: TestDatabase,
  before: Map<string, bigint>,
  recorded: readonly RecordedEvent[],
): Promise<void> {
  const expected = new Map(before);
  for (const e of recorded) {
    const key = `${streamCategory(e.streamId)}\n${e.type}`;
    expected.set(key, (expected.get(key) ?? 0n) + 1n);
  }
  expect(await eventStats(tdb)).toEqual(expected);
}

/** Moves every projector past a failed run, running again, so the next run starts healthy. */
async function resetAfterFailure(tdb: TestDatabase, runner: ProjectionRunner): Promise<void> {
  await sql`
    UPDATE projection_checkpoints SET status = 'running', halted_reason = NULL, halted_at = NULL,
      checkpoint_tx = h.tx, checkpoint_pos = h.pos
    FROM (SELECT transaction_id AS tx, position AS pos FROM events
          ORDER BY transaction_id DESC, position DESC LIMIT 1) AS h`.execute(tdb.db);
  // A fresh runner reloads the checkpoints (the old one keeps its halted state in memory).
  await runner.init();
}
