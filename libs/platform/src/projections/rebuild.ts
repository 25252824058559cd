/**
 * Rebuilds: a projector (or several, in one pass over `$all`) is applied from the start into fresh
 * tables in a scratch schema, outside any lock, their indexes that no projector reads built once
 * that is done; then, under the checkpoints' row locks (taken first, as every batch does), the
 * rest is applied and the tables switch in atomically. Live runners wait on the row and then see
 * the moved checkpoint.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { assert } from '@kob/kernel';
import { type EventStore, type Position, type RecordedEvent, START } from '@kob/event-store';
import type { PlatformTables } from '../platform.tables';
import { ParkedDuringRebuild, applyOrPark, recordParked } from './parking';
import type { Projector, ProjectorHead, RunnerOptions } from './projector';

/** Transactions a full rebuild applies each batch in at once (projectors split between them). */
const REBUILD_LANES = 2;
/** Connections that build a rebuild's deferred indexes at once (the machine's cores, at least). */
const INDEX_BUILDERS = 2;

export interface RebuildContext {
  db: Kysely<PlatformTables>;
  store: EventStore;
  options: RunnerOptions;
}

type ApplyBatch = (
  trx: Transaction<PlatformTables>,
  events: readonly RecordedEvent[],
) => Promise<void>;

/**
 * The session holding a rebuild's advisory locks: its backend and how many locks it took. The
 * switch checks that it still holds them all (`assertLocksHeld`): a PostgreSQL that restarted
 * meanwhile ended that session, and may have lost the scratch batches committed without waiting
 * for the disk (`scratchCommits`), though the pool's fresh connections let the rebuild go on.
 */
export interface RebuildLocks {
  pid: number;
  count: number;
}

/** Runs `fn` holding the rebuild advisory lock of each of `names` (taken in the given order). */
export function withRebuildLocks<T>(
  db: Kysely<PlatformTables>,
  names: readonly string[],
  fn: (locks: RebuildLocks) => Promise<T>,
): Promise<T> {
  return db.connection().execute(async (lockConn) => {
    for (const name of names)
      await sql`SELECT pg_advisory_lock(hashtext('kobatela.rebuild'), hashtext(${name}))`.execute(
        lockConn,
      );
    let failure: unknown = null;
    try {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(lockConn);
      return await fn({ pid: rows[0]!.pid, count: names.length });
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      for (const name of names) {
        try {
          await sql`SELECT pg_advisory_unlock(hashtext('kobatela.rebuild'), hashtext(${name}))`.execute(
            lockConn,
          );
        } catch (unlockErr) {
          // A rebuild's own failure is what its caller needs to see (when its lock session has
          // ended, the unlock fails too, and the locks went with the session).
          if (failure === null) throw unlockErr;
        }
      }
    }
  });
}

/** Rebuilds one projector (its advisory lock held); returns the events applied. */
export async function rebuildOne<DB>(
  ctx: RebuildContext,
  locks: RebuildLocks,
  projector: Projector<DB>,
  batch: number,
  onProgress?: (applied: number) => void,
): Promise<number> {
  const base = projector.name
    .replace(/[^a-z0-9_]/gi, '_')
    .toLowerCase()
    .slice(0, 30);
  const schema = `rebuild_${base}_${randomBytes(4).toString('hex')}`;
  return inScratchSchema(ctx, schema, [projector], async (deferred) => {
    const parked = new ParkedDuringRebuild();
    const applyBatch: ApplyBatch = async (trx, events) => {
      await searchPath(trx, schema);
      parked.add(projector, await applyOrPark(trx, projector, events));
      await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
    };
    // Phase 1, outside any lock: the bulk of history, until a short batch says we are close.
    let position: Position = START;
    let applied = 0;
    for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
      const events = await ctx.store.readAll({ fromPosition: position, maxCount: batch });
      if (events.length === 0) break;
      await ctx.db.transaction().execute(async (trx) => {
        await scratchCommits(trx);
        await applyBatch(trx, events);
      });
      position = events[events.length - 1]!.position;
      applied += events.length;
      onProgress?.(applied);
      if (events.length < batch) break;
    }
    await buildIndexes(ctx, schema, deferred);
    return switchIn(ctx, locks, schema, [projector], parked, {
      position,
      applied,
      batch,
      applyBatch,
    });
  });
}

/**
 * Rebuilds several projectors in one pass over `$all` (their advisory locks held): each batch is
 * read once and applied to every projector, then all switch in together.
 */
export async function rebuildMany<DB>(
  ctx: RebuildContext,
  locks: RebuildLocks,
  projectors: readonly Projector<DB>[],
  batch: number,
  onProgress?: (applied: number) => void,
): Promise<number> {
  const schema = `rebuild_all_${randomBytes(4).toString('hex')}`;
  const tables = projectors.flatMap((p) => p.tables);
  assert(new Set(tables).size === tables.length, 'two projectors own the same table');
  return inScratchSchema(ctx, schema, projectors, async (deferred) => {
    const parked = new ParkedDuringRebuild();
    const applyBatch: ApplyBatch = async (trx, events) => {
      await searchPath(trx, schema);
      for (const p of projectors) parked.add(p, await applyOrPark(trx, p, events));
      await sql`SELECT set_config('search_path', 'public', true)`.execute(trx);
    };
    const { position, applied } = await applyHistoryInLanes(
      ctx,
      schema,
      projectors,
      parked,
      batch,
      onProgress,
    );
    await buildIndexes(ctx, schema, deferred);
    return switchIn(ctx, locks, schema, projectors, parked, {
      position,
      applied,
      batch,
      applyBatch,
    });
  });
}

/**
 * Phase 1 of a full rebuild, outside any lock: the next batch is read while this one is applied,
 * and after the first batch (applied in one lane, timing each projector) the projectors are split
 * into lanes of about equal work, each applying the batch in its own transaction at once, so the
 * database works on one while this process prepares the other.
 */
async function applyHistoryInLanes<DB>(
  ctx: RebuildContext,
  schema: string,
  projectors: readonly Projector<DB>[],
  parked: ParkedDuringRebuild,
  batch: number,
  onProgress?: (applied: number) => void,
): Promise<{ position: Position; applied: number }> {
  const applyLane = async (lane: readonly Projector<DB>[], events: readonly RecordedEvent[]) => {
    const costs = new Map<string, number>();
    await ctx.db.transaction().execute(async (trx) => {
      await scratchCommits(trx);
      await searchPath(trx, schema);
      for (const p of lane) {
        const t0 = performance.now();
        parked.add(p, await applyOrPark(trx, p, events));
        costs.set(p.name, performance.now() - t0);
      }
    });
    return costs;
  };
  let position: Position = START;
  let applied = 0;
  let lanes: Projector<DB>[][] | null = null;
  let next = ctx.store.readAll({ fromPosition: position, maxCount: batch });
  for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
    const events = await next;
    if (events.length === 0) break;
    const last = events[events.length - 1]!.position;
    next =
      events.length < batch
        ? Promise.resolve([])
        : ctx.store.readAll({ fromPosition: last, maxCount: batch });
    next.catch(() => undefined);
    if (lanes === null)
      lanes = balancedLanes(projectors, await applyLane(projectors, events), REBUILD_LANES);
    else await Promise.all(lanes.map((lane) => applyLane(lane, events)));
    position = last;
    applied += events.length;
    onProgress?.(applied);
  }
  await next.catch(() => undefined);
  return { position, applied };
}

/**
 * Creates the scratch schema with empty copies of the projectors' tables, runs `fn` with the
 * indexes it is to build once history is applied (see `deferIndexes`), drops what is left.
 */
async function inScratchSchema(
  ctx: RebuildContext,
  schema: string,
  projectors: readonly ProjectorHead[],
  fn: (deferred: readonly DeferredIndex[]) => Promise<number>,
): Promise<number> {
  await sql`CREATE SCHEMA ${sql.id(schema)}`.execute(ctx.db);
  try {
    for (const t of projectors.flatMap((p) => p.tables))
      await sql`CREATE TABLE ${sql.id(schema, t)} (LIKE ${sql.id('public', t)} INCLUDING ALL)`.execute(
        ctx.db,
      );
    return await fn(await deferIndexes(ctx, schema, projectors));
  } finally {
    await sql`DROP SCHEMA IF EXISTS ${sql.id(schema)} CASCADE`
      .execute(ctx.db)
      .catch(() => undefined);
  }
}

/** An index of a scratch table, dropped until history is applied: its table and definition. */
interface DeferredIndex {
  table: string;
  definition: string;
}

/**
 * Drops the scratch tables' indexes that are not unique and that no projector finds rows by
 * (`lookupColumns`, matched on the index's first column), and returns their definitions. Filling
 * a table and then building each index in one sort costs the database less than keeping every
 * index up to date row by row, and nothing reads them before the switch. Unique indexes stay:
 * they decide conflicts (ON CONFLICT) and refuse, at the event that breaks them, what the live
 * tables would refuse.
 */
async function deferIndexes(
  ctx: RebuildContext,
  schema: string,
  projectors: readonly ProjectorHead[],
): Promise<DeferredIndex[]> {
  const read = new Set(
    projectors.flatMap((p) =>
      Object.entries(p.lookupColumns ?? {}).flatMap(([table, columns]) =>
        columns.map((c) => `${table}.${c}`),
      ),
    ),
  );
  const indexes = await sql<{ name: string; table: string; lead: string | null; def: string }>`
    SELECT ci.relname AS name, ct.relname AS table, a.attname AS lead,
           pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i
    JOIN pg_class ci ON ci.oid = i.indexrelid
    JOIN pg_class ct ON ct.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = ct.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = ct.oid AND a.attnum = i.indkey[0]
    WHERE n.nspname = ${schema} AND NOT i.indisunique AND NOT i.indisexclusion
    ORDER BY ct.relname, ci.relname`.execute(ctx.db);
  const deferred: DeferredIndex[] = [];
  for (const ix of indexes.rows) {
    if (ix.lead !== null && read.has(`${ix.table}.${ix.lead}`)) continue;
    await sql`DROP INDEX ${sql.id(schema, ix.name)}`.execute(ctx.db);
    deferred.push({ table: ix.table, definition: ix.def });
  }
  return deferred;
}

/**
 * Builds the deferred indexes on the filled scratch tables (outside any lock: live runners go on
 * meanwhile), the largest tables' first, on a few connections at once.
 */
async function buildIndexes(
  ctx: RebuildContext,
  schema: string,
  deferred: readonly DeferredIndex[],
): Promise<void> {
  if (deferred.length === 0) return;
  const sizes = await sql<{ table: string; bytes: string }>`
    SELECT c.relname AS table, pg_relation_size(c.oid)::text AS bytes
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ${schema} AND c.relkind = 'r'`.execute(ctx.db);
  const bytes = new Map(sizes.rows.map((r) => [r.table, BigInt(r.bytes)]));
  const size = (ix: DeferredIndex) => bytes.get(ix.table) ?? 0n;
  const queue = [...deferred].sort((a, b) => (size(a) > size(b) ? -1 : size(a) < size(b) ? 1 : 0));
  const builder = async () => {
    for (let ix = queue.shift(); ix !== undefined; ix = queue.shift()) {
      try {
        await sql.raw(ix.definition).execute(ctx.db);
      } catch (err) {
        queue.length = 0; // the rebuild fails: the other builders stop after their index
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(INDEX_BUILDERS, queue.length) }, builder));
}

/** The switch goes ahead only while the session that took the rebuild's locks still holds them. */
async function assertLocksHeld(trx: Transaction<PlatformTables>, locks: RebuildLocks) {
  const { rows } = await sql<{ held: number }>`
    SELECT count(*)::int AS held FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND pid = ${locks.pid}`.execute(trx);
  if (rows[0]!.held < locks.count)
    throw new Error(
      'the rebuild lost its advisory locks (their session ended: PostgreSQL restarted?); ' +
        'batches committed before that may not be on disk, so nothing was switched in: run the rebuild again',
    );
}

/**
 * Phase 1's transactions commit without waiting for their WAL to reach the disk: they write only
 * to the scratch schema, which a crash abandons whole (its name is this rebuild's own), and the
 * switch that makes it live commits synchronously, which flushes all the WAL before it, theirs
 * included. Phase 2 and the switch keep the server's setting.
 */
async function scratchCommits(trx: Transaction<PlatformTables>): Promise<void> {
  await sql`SELECT set_config('synchronous_commit', 'off', true)`.execute(trx);
}

async function searchPath(trx: Transaction<PlatformTables>, schema: string): Promise<void> {
  await sql`SELECT set_config('search_path', ${`${schema},public`}, true)`.execute(trx);
}

/**
 * Phase 2, under the checkpoints' row locks (taken first, as every batch does): the rest of
 * `$all`, then the scratch tables replace the live ones, the parked lists become what this
 * rebuild parked, and the checkpoints move to the end with the code's version and no halt.
 */
async function switchIn(
  ctx: RebuildContext,
  locks: RebuildLocks,
  schema: string,
  projectors: readonly ProjectorHead[],
  parked: ParkedDuringRebuild,
  from: { position: Position; applied: number; batch: number; applyBatch: ApplyBatch },
): Promise<number> {
  let { position, applied } = from;
  await ctx.db.transaction().execute(async (trx) => {
    for (const p of projectors)
      await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${p.name} FOR UPDATE`.execute(
        trx,
      );
    await assertLocksHeld(trx, locks);
    for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
      const events = await ctx.store.readAll({ fromPosition: position, maxCount: from.batch });
      if (events.length === 0) break;
      await from.applyBatch(trx, events);
      position = events[events.length - 1]!.position;
      applied += events.length;
    }
    for (const t of projectors.flatMap((p) => p.tables)) {
      await sql`DROP TABLE ${sql.id('public', t)}`.execute(trx);
      await sql`ALTER TABLE ${sql.id(schema, t)} SET SCHEMA public`.execute(trx);
    }
    await sql`DROP SCHEMA ${sql.id(schema)}`.execute(trx);
    await replaceParked(trx, ctx.options, projectors, parked);
    for (const p of projectors) {
      await sql`UPDATE projection_checkpoints
                SET checkpoint_tx = ${position.tx.toString()}::text::xid8, checkpoint_pos = ${position.pos.toString()},
                    version = ${p.version}, events_applied = ${applied}, status = 'running',
                    halted_reason = NULL, halted_at = NULL, updated_at = now()
                WHERE name = ${p.name}`.execute(trx);
    }
  });
  return applied;
}

/**
 * At a rebuild's switch: the projectors' parked lists become what this rebuild parked (an event
 * parked before that now applies is no longer parked; the rows of replayed events go too, the
 * rebuilt read model holds them).
 */
async function replaceParked(
  trx: Transaction<PlatformTables>,
  options: RunnerOptions,
  projectors: readonly ProjectorHead[],
  parked: ParkedDuringRebuild,
): Promise<void> {
  await sql`DELETE FROM projection_parked_events WHERE projector = ANY(${projectors.map((p) => p.name)}::text[])`.execute(
    trx,
  );
  for (const p of projectors) await recordParked(trx, options, p.name, parked.of(p.name));
}

/** Projectors split into `n` lanes of about equal cost (greedy: the costliest first). */
function balancedLanes<P extends ProjectorHead>(
  projectors: readonly P[],
  costs: ReadonlyMap<string, number>,
  n: number,
): P[][] {
  const lanes = Array.from({ length: n }, () => ({ cost: 0, projectors: [] as P[] }));
  const byCost = [...projectors].sort(
    (a, b) => (costs.get(b.name) ?? 0) - (costs.get(a.name) ?? 0),
  );
  for (const p of byCost) {
    const lightest = lanes.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.projectors.push(p);
    lightest.cost += costs.get(p.name) ?? 0;
  }
  return lanes.map((l) => l.projectors).filter((l) => l.length > 0);
}
