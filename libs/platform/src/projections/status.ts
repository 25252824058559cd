/** What /health and the CLI show of the projectors: checkpoints, halts, parked counts, lag. */
import { sql, type Kysely } from 'kysely';
import { type EventStore, type Position, PostgresEventStore } from '@kob/event-store';
import type { PlatformTables } from '../platform.tables';
import type { ProjectorHead, ProjectorStatus } from './projector';

/** Every projector's stored status; `retrying` is what this process is retrying after. */
export async function projectorStatuses(
  db: Kysely<PlatformTables>,
  retrying: (name: string) => string | null,
): Promise<ProjectorStatus[]> {
  const [rows, parked] = await Promise.all([
    db.selectFrom('projection_checkpoints').selectAll().execute(),
    db
      .selectFrom('projection_parked_events')
      .select(['projector', (eb) => eb.fn.countAll<string>().as('n')])
      .where('replayed_at', 'is', null)
      .groupBy('projector')
      .execute(),
  ]);
  const parkedBy = new Map(parked.map((p) => [p.projector, Number(p.n)]));
  return rows.map((r) => ({
    parked: parkedBy.get(r.name) ?? 0,
    name: r.name,
    version: r.version,
    checkpoint: { tx: BigInt(r.checkpoint_tx), pos: BigInt(r.checkpoint_pos) },
    status: r.status as ProjectorStatus['status'],
    haltedReason: r.halted_reason,
    eventsApplied: BigInt(r.events_applied),
    retrying: retrying(r.name),
  }));
}

/** The statuses with their lag (one read of the next event per projector). */
export async function withLag(
  store: Pick<EventStore, 'readAll'>,
  statuses: readonly ProjectorStatus[],
): Promise<(ProjectorStatus & { lagMs: number })[]> {
  const out = [];
  for (const s of statuses) out.push({ ...s, lagMs: await lagOf(store, s.checkpoint) });
  return out;
}

/**
 * The age of the oldest event visible to readers past `checkpoint` (0 when caught up), read
 * through the port so that it holds for either store.
 */
async function lagOf(store: Pick<EventStore, 'readAll'>, checkpoint: Position): Promise<number> {
  const [next] = await store.readAll({ fromPosition: checkpoint, maxCount: 1 });
  return next ? Math.max(0, Date.now() - next.recordedAt.getTime()) : 0;
}

/**
 * Of `projectors`, those that declare the stream categories they read and read none of the
 * streams written in the transaction of `position` (a command's events share it).
 */
export async function unconcernedBy(
  db: Kysely<PlatformTables>,
  store: EventStore,
  position: Position,
  projectors: readonly ProjectorHead[],
): Promise<ReadonlySet<string>> {
  const declaring = projectors.filter((p) => p.streamCategories !== undefined);
  // The streams of one write are looked up by its transaction in PostgreSQL's events table;
  // on another store none is known, and every halted projector holds the answer, as below.
  if (declaring.length === 0 || !(store instanceof PostgresEventStore)) return new Set();
  const res = await sql<{ category: string }>`
    SELECT DISTINCT split_part(stream_id, '-', 1) AS category FROM events
    WHERE transaction_id = ${position.tx.toString()}::text::xid8`
    .execute(db)
    .catch(() => null);
  // Not known (the database is away): every halted projector holds the answer, as before.
  if (!res) return new Set();
  const written = new Set(res.rows.map((r) => r.category));
  return new Set(
    declaring.filter((p) => !p.streamCategories!.some((c) => written.has(c))).map((p) => p.name),
  );
}
