/**
 * Checkpoints: each projector's row in `projection_checkpoints` (position, version, halt) and
 * what this process keeps of it in memory (`Live`, with the backoff of infrastructure retries).
 */
import { sql, type Kysely } from 'kysely';
import { limits } from '@kob/kernel';
import { preparedMark } from '@kob/projections';
import type { Position } from '@kob/event-store';
import type { PlatformTables } from '../platform.tables';
import type { ProjectorHead } from './projector';

const RETRY_DELAY_MIN_MS = 50;

export interface Live {
  checkpoint: Position;
  halted: string | null;
  /** Stored version is newer than this code: another (newer) process runs it. */
  outdated: boolean;
  retryAt: number;
  retryDelayMs: number;
  lastError: string | null;
}

/** Creates the projector's checkpoint row if missing; returns the version stored there. */
export async function ensureCheckpoint(
  db: Kysely<PlatformTables>,
  p: ProjectorHead,
): Promise<number> {
  await sql`INSERT INTO projection_checkpoints (name, version) VALUES (${p.name}, ${p.version})
            ON CONFLICT (name) DO NOTHING`.execute(db);
  return storedVersion(db, p.name);
}

export async function storedVersion(db: Kysely<PlatformTables>, name: string): Promise<number> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('version')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.version;
}

/** The stored checkpoint as `Live`, keeping the retry state of `previous`. */
export async function loadLive(
  db: Kysely<PlatformTables>,
  name: string,
  projector: ProjectorHead | undefined,
  previous: Live | undefined,
): Promise<{ live: Live; stored: number }> {
  const row = (await loadCheckpointRows(db, [name])).get(name);
  if (!row) throw new Error(`projector ${name} has no checkpoint row`);
  return { live: liveOf(row, projector, previous), stored: row.version };
}

/** A checkpoint's row as `loadCheckpointRows` reads it. */
export interface CheckpointRow {
  checkpoint_tx: string | bigint;
  checkpoint_pos: string | bigint;
  status: string;
  halted_reason: string | null;
  version: number;
}

/** The checkpoints of `names` in one statement (the rows that exist), by name. */
export async function loadCheckpointRows(
  db: Kysely<PlatformTables>,
  names: readonly string[],
): Promise<Map<string, CheckpointRow>> {
  const res = await sql<CheckpointRow & { name: string }>`${preparedMark}
    SELECT name, checkpoint_tx, checkpoint_pos, status, halted_reason, version
    FROM projection_checkpoints WHERE name = ANY(${[...names]}::text[])`.execute(db);
  return new Map(res.rows.map((r) => [r.name, r]));
}

/** A stored checkpoint as `Live`, keeping the retry state of `previous`. */
export function liveOf(
  row: CheckpointRow,
  projector: ProjectorHead | undefined,
  previous: Live | undefined,
): Live {
  return {
    checkpoint: { tx: BigInt(row.checkpoint_tx), pos: BigInt(row.checkpoint_pos) },
    halted: row.status === 'halted' ? (row.halted_reason ?? 'halted') : null,
    outdated: projector !== undefined && row.version > projector.version,
    retryAt: previous?.retryAt ?? 0,
    retryDelayMs: previous?.retryDelayMs ?? 0,
    lastError: previous?.lastError ?? null,
  };
}

/** Whether a round leaves the projector out (halted, a newer version's, backing off). */
export function resting(live: Live): boolean {
  return Boolean(live.halted) || live.outdated || Date.now() < live.retryAt;
}

/** A batch went through: the retry state is cleared. Returns `applied`. */
export function recovered(live: Live, applied: number): number {
  if (live.lastError) {
    live.lastError = null;
    live.retryDelayMs = 0;
    live.retryAt = 0;
  }
  return applied;
}

/** An infrastructure failure: the next try waits twice as long (bounded). */
export function backOff(live: Live, err: Error): void {
  live.retryDelayMs = Math.min(
    limits.projectionRetryDelayMaxMs,
    Math.max(RETRY_DELAY_MIN_MS, live.retryDelayMs * 2),
  );
  live.retryAt = Date.now() + live.retryDelayMs;
  live.lastError = `${err.name}: ${err.message}`.slice(0, 500);
}

/** Records the halt, only if no other runner has moved the checkpoint meanwhile. */
export async function markHalted(
  db: Kysely<PlatformTables>,
  name: string,
  at: Position,
  reason: string,
): Promise<boolean> {
  const res = await sql`
    UPDATE projection_checkpoints SET status = 'halted', halted_reason = ${reason}, halted_at = now()
    WHERE name = ${name} AND status = 'running'
      AND checkpoint_tx = ${at.tx.toString()}::text::xid8 AND checkpoint_pos = ${at.pos.toString()}`
    .execute(db)
    .catch(() => null);
  return res !== null && Number(res.numAffectedRows ?? 0) === 1;
}
