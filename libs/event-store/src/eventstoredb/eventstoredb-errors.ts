/**
 * The EventStoreDB adapter's failures as typed errors, and which of them may be retried.
 *
 * - `unavailable`: the node is down, restarting or unreachable (gRPC UNAVAILABLE, or the server
 *   cancelled the call). A read is retried; an append's outcome is unknown (see below).
 * - `deadline`: no answer before the call's deadline. Same as `unavailable` for the outcome.
 * - `not-leader`: a follower refused a call that needs the leader; it wrote nothing, so the
 *   call is retried (the client reconnects to the leader the follower named).
 *
 * An append is never retried blind: the adapter first reads the stream to learn whether its
 * events (by id, at the expected revision) are there, and only if they are not sends the same
 * events again at the same expected revision, so a retry can neither duplicate nor skip a check.
 */
import { esdb } from './eventstoredb-client';

export type EventStoreFailure = 'unavailable' | 'deadline' | 'not-leader';

/** The event store could not be reached, or did not answer in time. */
export class EventStoreUnavailableError extends Error {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(
    readonly failure: EventStoreFailure,
    readonly operation: string,
    /** For an append: whether it may have been written (`unknown`) or surely was not. */
    readonly appendOutcome: 'not-written' | 'unknown' | 'not-an-append',
    options?: { cause?: unknown },
  ) {
    super(`event store ${operation}: ${failure}`, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The connection-level failure an error of the client is, or null for any other error. */
export function connectionFailure(err: unknown): EventStoreFailure | null {
  const client = esdb();
  if (err instanceof client.NotLeaderError) return 'not-leader';
  if (err instanceof client.DeadlineExceededError) return 'deadline';
  if (err instanceof client.UnavailableError || err instanceof client.CancelledError) {
    return 'unavailable';
  }
  return null;
}

export function isWrongExpectedVersion(err: unknown): boolean {
  return err instanceof esdb().WrongExpectedVersionError;
}

/** Retries of a read after a connection failure, and the pause before each (times the attempt). */
export const READ_RETRIES_MAX = 3;
export const RETRY_BACKOFF_MS = 50;

/** Runs a read, retrying it on a connection failure (reads change nothing). */
export async function retryingRead<T>(operation: string, read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      const failure = connectionFailure(err);
      if (!failure) throw err;
      if (attempt > READ_RETRIES_MAX) {
        throw new EventStoreUnavailableError(failure, operation, 'not-an-append', { cause: err });
      }
      await pause(RETRY_BACKOFF_MS * attempt);
    }
  }
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
