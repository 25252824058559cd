import type { ExpectedRevision } from './event-store.port';

/** The typed conflict of an append whose expected revision is not the stream's head. */
export class WrongExpectedRevisionError extends Error {
  readonly code = 'WRONG_EXPECTED_REVISION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)} is not the head`);
    this.name = 'WrongExpectedRevisionError';
  }
}

export class MissingActorError extends Error {
  constructor(streamId: string, type: string) {
    super(`event ${type} on ${streamId} has no actor in its metadata: refused`);
    this.name = 'MissingActorError';
  }
}

/** The same event id appended twice: a bug in the caller, never a concurrency conflict. */
export class DuplicateEventIdError extends Error {
  constructor(streamId: string, ids: string[]) {
    super(`stream ${streamId}: an event id is already stored (${ids.join(', ')})`);
    this.name = 'DuplicateEventIdError';
  }
}

/** Data PostgreSQL cannot store as JSONB (a NUL character, a lone surrogate). */
export class UnstorableEventError extends Error {
  constructor(streamId: string, reason: string) {
    super(`stream ${streamId}: event data cannot be stored: ${reason}`);
    this.name = 'UnstorableEventError';
  }
}
