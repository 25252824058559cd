/**
 * Parking: the events a projector cannot apply (its own code throws on them) are found by
 * bisection, each try in a savepoint, and recorded in `projection_parked_events` (after an
 * alert), so the rest of the batch applies and nothing a client sends can stop a read model.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { assert } from '@kob/kernel';
import type { EventStore, Position, RecordedEvent } from '@kob/event-store';
import type { PlatformTables } from '../platform.tables';
import { failureReason, isInfrastructureFailure } from './failures';
import {
  type ParkedEvent,
  type ParkedEventRow,
  type Projector,
  type ProjectorHead,
  type RunnerOptions,
  applyIn,
} from './projector';

/** Halvings of a batch while looking for the events a projector cannot apply (2^16 ≥ any batch). */
const PARK_BISECT_DEPTH_MAX = 16;
/** Parked events listed at once (/health counts them all; the CLI pages by projector). */
const PARKED_LIST_MAX = 1_000;
/** Transactions of parked events a runner remembers per projector, for the waits on them. */
const PARKED_TXS_REMEMBERED_MAX = 1_000;

/** Applies `events` in a savepoint: null when they applied, else why they did not (rolled back). */
export async function tryApply<DB>(
  trx: Transaction<PlatformTables>,
  projector: Projector<DB>,
  events: readonly RecordedEvent[],
  depth: number,
): Promise<string | null> {
  const savepoint = sql.raw(`park_${depth}`);
  await sql`SAVEPOINT ${savepoint}`.execute(trx);
  try {
    await applyIn(trx, projector, events);
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    return null;
  } catch (err) {
    if (isInfrastructureFailure(err)) throw err;
    await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    return failureReason(err);
  }
}

/**
 * Applies `events` to `projector`, leaving out (and returning) the ones it cannot apply: each
 * half is tried in a savepoint and a failing half is split again, in event order, down to the
 * single events that fail. Known to fail as a whole when called (the caller has just rolled
 * it back), so it starts by splitting. Infrastructure failures propagate: the round is retried.
 */
export async function bisect<DB>(
  trx: Transaction<PlatformTables>,
  projector: Projector<DB>,
  events: readonly RecordedEvent[],
  depth: number,
): Promise<ParkedEvent[]> {
  assert(depth <= PARK_BISECT_DEPTH_MAX, 'bisection deeper than the batch size allows');
  if (events.length === 1) {
    // Known to fail alone; once more for its reason (the caller only knows the batch's).
    const failure = await tryApply(trx, projector, events, depth);
    return failure ? [{ event: events[0]!, reason: failure }] : [];
  }
  const mid = Math.ceil(events.length / 2);
  const parked: ParkedEvent[] = [];
  for (const half of [events.slice(0, mid), events.slice(mid)]) {
    const failure = await tryApply(trx, projector, half, depth);
    if (failure === null) continue;
    parked.push(
      ...(half.length === 1
        ? [{ event: half[0]!, reason: failure }]
        : await bisect(trx, projector, half, depth + 1)),
    );
  }
  return parked;
}

/**
 * Applies a batch outside the live loop (a rebuild): a projector that does not guard money
 * parks what it cannot apply; one that does throws, as in the live loop.
 */
export async function applyOrPark<DB>(
  trx: Transaction<PlatformTables>,
  projector: Projector<DB>,
  events: readonly RecordedEvent[],
): Promise<ParkedEvent[]> {
  if (projector.guardsMoney) {
    await applyIn(trx, projector, events);
    return [];
  }
  const failure = await tryApply(trx, projector, events, 0);
  if (failure === null) return [];
  return events.length === 1
    ? [{ event: events[0]!, reason: failure }]
    : bisect(trx, projector, events, 1);
}

/**
 * Records parked events in the batch's transaction, after reporting each one (an alert): the
 * report comes first so a crash before the commit cannot lose it, and reporting the same event
 * again raises nothing new. A report that fails is logged; the parking is still recorded.
 */
export async function recordParked(
  trx: Transaction<PlatformTables>,
  options: RunnerOptions,
  projector: string,
  parked: readonly ParkedEvent[],
): Promise<void> {
  for (const p of parked) {
    options.log?.('projector parked an event it cannot apply', {
      projector,
      eventId: p.event.id,
      stream: p.event.streamId,
      type: p.event.type,
      reason: p.reason,
    });
    try {
      await options.onPark?.(projector, p);
    } catch (err) {
      options.log?.('the parked event could not be reported', {
        projector,
        eventId: p.event.id,
        error: (err as Error).message,
      });
    }
    const e = p.event;
    await sql`
      INSERT INTO projection_parked_events (projector, event_id, stream_id, revision, type, position_tx, position_pos, error)
      VALUES (${projector}, ${e.id}, ${e.streamId}, ${e.revision.toString()}, ${e.type},
              ${e.position.tx.toString()}::text::xid8, ${e.position.pos.toString()}, ${p.reason})
      ON CONFLICT (projector, event_id) DO UPDATE
      SET error = EXCLUDED.error, attempts = projection_parked_events.attempts + 1, parked_at = now(), replayed_at = NULL`.execute(
      trx,
    );
  }
}

/** Transactions whose events this process parked, per projector (newest kept, bounded). */
export class ParkedTransactions {
  private readonly byProjector = new Map<string, Set<bigint>>();

  /** The transactions of the events a committed batch parked. */
  rememberAll(parked: readonly { projector: string; parked: readonly ParkedEvent[] }[]): void {
    for (const p of parked)
      this.remember(
        p.projector,
        p.parked.map((e) => e.event.position.tx),
      );
  }

  private remember(projector: string, txs: readonly bigint[]): void {
    const set = this.byProjector.get(projector) ?? new Set<bigint>();
    for (const tx of txs) set.add(tx);
    // Bounded: the oldest go first (a wait concerns a command just appended).
    for (const tx of set) {
      if (set.size <= PARKED_TXS_REMEMBERED_MAX) break;
      set.delete(tx);
    }
    this.byProjector.set(projector, set);
  }

  /**
   * Of `projectors`, those that parked an event of the transaction of `position` (a command's
   * events share it): their read models do not hold that command, though their checkpoints moved
   * past it. This process's own parkings are known in memory; with `strict`, the table is asked
   * too (another replica or a worker may have parked it).
   */
  async parkedAt(
    db: Kysely<PlatformTables>,
    position: Position,
    projectors: readonly ProjectorHead[],
    strict: boolean,
  ): Promise<string[]> {
    const known = projectors
      .filter((p) => this.byProjector.get(p.name)?.has(position.tx))
      .map((p) => p.name);
    if (known.length > 0 || !strict || projectors.length === 0) return known;
    const res = await sql<{ projector: string }>`
      SELECT DISTINCT projector FROM projection_parked_events
      WHERE replayed_at IS NULL AND position_tx = ${position.tx.toString()}::text::xid8
        AND projector = ANY(${projectors.map((p) => p.name)}::text[])`
      .execute(db)
      .catch(() => null);
    // Not known (the database is away): not in force, as far as this wait can tell.
    return res ? res.rows.map((r) => r.projector) : projectors.map((p) => p.name);
  }
}

/** What each projector parked during a rebuild, until the switch records it. */
export class ParkedDuringRebuild {
  private readonly byProjector = new Map<string, ParkedEvent[]>();

  add(projector: ProjectorHead, parked: readonly ParkedEvent[]): void {
    if (parked.length === 0) return;
    this.byProjector.set(projector.name, [...this.of(projector.name), ...parked]);
  }

  of(projector: string): ParkedEvent[] {
    return this.byProjector.get(projector) ?? [];
  }
}

/** Parked events (oldest first), of one projector or all; `open` leaves out replayed ones. */
export async function listParked(
  db: Kysely<PlatformTables>,
  options: { projector?: string; open?: boolean; limit?: number },
): Promise<ParkedEventRow[]> {
  let q = db.selectFrom('projection_parked_events').selectAll();
  if (options.projector) q = q.where('projector', '=', options.projector);
  if (options.open !== false) q = q.where('replayed_at', 'is', null);
  const rows = await q
    .orderBy('position_tx')
    .orderBy('position_pos')
    .orderBy('projector')
    .limit(Math.min(options.limit ?? PARKED_LIST_MAX, PARKED_LIST_MAX))
    .execute();
  return rows.map((r) => ({
    projector: r.projector,
    eventId: r.event_id,
    streamId: r.stream_id,
    revision: BigInt(r.revision),
    type: r.type,
    position: { tx: BigInt(r.position_tx), pos: BigInt(r.position_pos) },
    error: r.error,
    attempts: r.attempts,
    parkedAt: r.parked_at,
    replayedAt: r.replayed_at,
  }));
}

/**
 * Applies one parked event again in a transaction of its own that first takes the projector's
 * checkpoint row lock like every batch: null when it applied (marked replayed), its new reason
 * when it still fails, 'gone' when another replay or a rebuild got there first.
 */
function replayOne<DB>(
  db: Kysely<PlatformTables>,
  projector: Projector<DB>,
  row: ParkedEventRow,
  event: RecordedEvent,
): Promise<string | null | 'gone'> {
  return db.transaction().execute(async (trx): Promise<string | null | 'gone'> => {
    await sql`SELECT 1 FROM projection_checkpoints WHERE name = ${projector.name} FOR UPDATE`.execute(
      trx,
    );
    // Still parked? Another replay (or a rebuild) may have applied it since it was listed.
    const open = await sql`SELECT 1 FROM projection_parked_events
    WHERE projector = ${projector.name} AND event_id = ${row.eventId} AND replayed_at IS NULL FOR UPDATE`.execute(
      trx,
    );
    if (open.rows.length === 0) return 'gone';
    const reason = await tryApply(trx, projector, [event], 0);
    await (
      reason === null
        ? sql`UPDATE projection_parked_events SET replayed_at = now() WHERE projector = ${projector.name} AND event_id = ${row.eventId}`
        : sql`UPDATE projection_parked_events SET error = ${reason}, attempts = attempts + 1
          WHERE projector = ${projector.name} AND event_id = ${row.eventId}`
    ).execute(trx);
    return reason;
  });
}

/** Replays parked `rows` in order (see `ProjectionRunner.replayParked`). */
export async function replayRows<DB>(
  db: Kysely<PlatformTables>,
  store: EventStore,
  projector: Projector<DB>,
  rows: readonly ParkedEventRow[],
  onReplayed: (event: RecordedEvent) => void,
): Promise<{ replayed: string[]; failed: ParkedEvent[] }> {
  const replayed: string[] = [];
  const failed: ParkedEvent[] = [];
  for (const row of rows) {
    const [event] = await store.readStream(row.streamId, {
      fromRevision: row.revision,
      maxCount: 1,
    });
    assert(
      event && event.id === row.eventId,
      `parked event ${row.eventId} is not at ${row.streamId}@${row.revision}`,
    );
    const failure = await replayOne(db, projector, row, event);
    if (failure === 'gone') continue;
    if (failure === null) {
      replayed.push(row.eventId);
      onReplayed(event);
    } else {
      failed.push({ event, reason: failure });
    }
  }
  return { replayed, failed };
}
