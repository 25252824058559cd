/** How the runner tells a projector's own failure (park or halt) from the database's (retry). */
import { truncateUtf16 } from '@kob/kernel';
import { databaseFailure } from '@kob/postgres';

/** Characters of an error kept as the reason of a halt or a parked event. */
const FAILURE_REASON_LENGTH_MAX = 2_000;

export function failureReason(err: unknown): string {
  const e = err as Error;
  // Never half a surrogate pair: the reason goes into an alert's JSON.
  return truncateUtf16(
    `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`,
    FAILURE_REASON_LENGTH_MAX,
  );
}

/** A projector's own failure inside a round without savepoints (the round is redone isolated). */
export class ProjectorFailed extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'ProjectorFailed';
  }
}

/**
 * Failures that say nothing about the events: the database unreachable or going away, or too
 * busy this time (timeouts, deadlocks, serialization failures, exhausted resources). They are
 * retried; any other error (the projector's own assertion, a constraint its writes break) parks
 * the event or, for a projector that guards money, halts it. One classification with the HTTP
 * edge's 503 (`databaseFailure`): Node's EPIPE is a lost connection, not a SQLSTATE.
 */
export function isInfrastructureFailure(err: unknown): boolean {
  return databaseFailure(err) !== null || isSetupFailure(err);
}

/**
 * The database is not set up as the code expects (a missing table or column, a missing grant, a
 * missing schema: SQLSTATE classes 42 and 3F): every event would fail alike, so parking each one
 * would be wrong. Retried (shown in /health as `retrying`) until the migration or grant is there.
 */
function isSetupFailure(err: unknown): boolean {
  const e = err as { code?: unknown; syscall?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  return e?.syscall === undefined && /^(42|3F)[0-9A-Z]{3}$/.test(code);
}
