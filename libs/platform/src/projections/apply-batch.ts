/**
 * One batch applied to a group of projectors standing at one checkpoint, in one transaction: one
 * statement locks, checks and advances every checkpoint of the group; with `isolate`, each
 * projector runs in a savepoint of its own, so the one that throws is rolled back alone and
 * parks what it cannot apply (or, if it guards money, has its checkpoint put back to halt).
 */
import { trace, type Link, type Span } from '@opentelemetry/api';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Position, RecordedEvent } from '@kob/event-store';
import { isDeferredWriteFailure } from '@kob/postgres';
import { deferWrites, preparedMark } from '@kob/projections';
import { parseTraceparent, tracer } from '../observability/tracing';
import type { PlatformTables } from '../platform.tables';
import { ProjectorFailed, isInfrastructureFailure } from './failures';
import { bisect, recordParked } from './parking';
import {
  type ParkedEvent,
  type Projector,
  type ProjectorHead,
  type RunnerOptions,
  applyIn,
} from './projector';

const SPAN_LINKS_MAX = 32;

/** What became of each projector of the batch: applied, moved on by another runner, or failed. */
export type Outcome = 'applied' | 'moved' | Error;

export interface BatchResult {
  outcomes: Map<string, Outcome>;
  parked: { projector: string; parked: readonly ParkedEvent[] }[];
  /** How long each projector's own part took (its statements, not the shared checkpoint and commit). */
  ms: Map<string, number>;
}

/**
 * Applies `events` (read from `from`) to `projectors` in one transaction. Without `isolate`, a
 * projector that throws rolls the whole transaction back (`ProjectorFailed`).
 */
export async function applyBatch<DB>(
  db: Kysely<PlatformTables>,
  options: RunnerOptions,
  projectors: readonly Projector<DB>[],
  from: Position,
  events: readonly RecordedEvent[],
  isolate: boolean,
): Promise<BatchResult> {
  const result: BatchResult = { outcomes: new Map(), parked: [], ms: new Map() };
  const links = batchLinks(events);
  await inTransaction(db, async (trx) => {
    const mine = await advanceCheckpoints(trx, projectors, from, events);
    // The projectors' writes go out back to back (deferred-writes.ts); isolated (or with deferral
    // turned off), each is awaited where it is made, so a failure is met inside the projector's
    // own savepoint.
    if (!isolate && options.deferWrites !== false) await deferWrites(trx);
    for (const [i, projector] of projectors.entries()) {
      if (!mine.has(projector.name)) {
        result.outcomes.set(projector.name, 'moved');
        continue;
      }
      const span = tracer().startSpan(`projection ${projector.name}`, {
        attributes: { 'kobatela.projector': projector.name, 'kobatela.events': events.length },
        links,
      });
      const started = performance.now();
      try {
        const ctx = { trx, from, events, isolate, options, span };
        const parked = await applyOne(ctx, projector, i);
        result.ms.set(projector.name, performance.now() - started);
        result.outcomes.set(projector.name, parked instanceof Error ? parked : 'applied');
        if (Array.isArray(parked)) result.parked.push({ projector: projector.name, parked });
      } finally {
        span.end();
      }
    }
  });
  return result;
}

/**
 * `db.transaction()`, where a deferred write's failure reported by the COMMIT counts as a
 * projector's failure (it is one: the batch is then applied again with each projector isolated).
 */
async function inTransaction(
  db: Kysely<PlatformTables>,
  work: (trx: Transaction<PlatformTables>) => Promise<void>,
): Promise<void> {
  try {
    await db.transaction().execute(work);
  } catch (err) {
    if (isDeferredWriteFailure(err)) throw new ProjectorFailed(err as Error);
    throw err;
  }
}

/**
 * One projector's part of the batch: null when it applied everything, the events it parked, or
 * the error it halts (or retries) on, its writes undone and its checkpoint put back.
 */
async function applyOne<DB>(
  ctx: {
    trx: Transaction<PlatformTables>;
    from: Position;
    events: readonly RecordedEvent[];
    isolate: boolean;
    options: RunnerOptions;
    span: Span;
  },
  projector: Projector<DB>,
  i: number,
): Promise<ParkedEvent[] | Error | null> {
  const { trx, from, events, isolate, options } = ctx;
  const savepoint = sql.raw(`projector_${i}`);
  if (isolate) await sql`SAVEPOINT ${savepoint}`.execute(trx);
  try {
    await applyIn(trx, projector, events);
    if (isolate) await sql`RELEASE SAVEPOINT ${savepoint}`.execute(trx);
    return null;
  } catch (err) {
    ctx.span.recordException(err as Error);
    if (!isolate) throw new ProjectorFailed(err as Error);
    await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(trx);
    if (!isInfrastructureFailure(err) && !projector.guardsMoney) {
      // The batch again without the events this projector cannot apply: those are parked.
      const parked = await bisect(trx, projector, events, 1);
      await recordParked(trx, options, projector.name, parked);
      return parked;
    }
    // This projector alone: its writes are undone and its checkpoint put back.
    await sql`
      UPDATE projection_checkpoints
      SET checkpoint_tx = ${from.tx.toString()}::text::xid8, checkpoint_pos = ${from.pos.toString()},
          events_applied = events_applied - ${events.length}
      WHERE name = ${projector.name}`.execute(trx);
    return err as Error;
  }
}

/**
 * Locks, checks and advances every checkpoint of the group in one statement; a projector another
 * runner has moved is not returned (the late runner of a race waits here).
 */
async function advanceCheckpoints(
  trx: Transaction<PlatformTables>,
  projectors: readonly ProjectorHead[],
  from: Position,
  events: readonly RecordedEvent[],
): Promise<Set<string>> {
  const last = events[events.length - 1]!.position;
  const names = projectors.map((p) => p.name);
  const advanced = await sql<{ name: string }>`${preparedMark}
    UPDATE projection_checkpoints
    SET checkpoint_tx = ${last.tx.toString()}::text::xid8, checkpoint_pos = ${last.pos.toString()},
        events_applied = events_applied + ${events.length}, updated_at = now()
    WHERE name = ANY(${names}::text[]) AND status = 'running'
      AND checkpoint_tx = ${from.tx.toString()}::text::xid8 AND checkpoint_pos = ${from.pos.toString()}
    RETURNING name`.execute(trx);
  return new Set(advanced.rows.map((r) => r.name));
}

/** Links a batch span to the traces of the commands whose events it applies. */
function batchLinks(events: readonly RecordedEvent[]): Link[] {
  if (!trace.getTracerProvider()) return [];
  const links: Link[] = [];
  for (const e of events) {
    const ctx = parseTraceparent(e.metadata.traceparent);
    if (ctx) links.push({ context: ctx });
    if (links.length >= SPAN_LINKS_MAX) break;
  }
  return links;
}
