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
