/** What /health and the CLI show of the projectors: checkpoints, halts, parked counts, lag. */
import type { Kysely } from 'kysely';
import type { EventStore, Position } from '@kob/event-store';
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
 * streams the append at `position` wrote (a command's events share one append), as the store
 * tells them (`streamsAppendedAt`).
 */
export async function unconcernedBy(
  store: Pick<EventStore, 'streamsAppendedAt'>,
  position: Position,
  projectors: readonly ProjectorHead[],
): Promise<ReadonlySet<string>> {
  const declaring = projectors.filter((p) => p.streamCategories !== undefined);
  if (declaring.length === 0) return new Set();
  // Not known (the store is away, or cannot tell): every halted projector holds the answer.
  const streams = await store.streamsAppendedAt(position).catch(() => null);
  if (!streams) return new Set();
  const written = new Set(streams.map((id) => id.split('-')[0]!));
  return new Set(
    declaring.filter((p) => !p.streamCategories!.some((c) => written.has(c))).map((p) => p.name),
  );
}
