/**
 * What a command handler answers: the view the client reads, and the position of what the command
 * appended. `useCommittedAnswers` (committed-answers.ts) turns it into the HTTP answer: `X-Event-Position`, the
 * read-your-writes wait (http/read-your-writes.ts) and then the view, so a controller only
 * dispatches and a handler knows nothing of HTTP.
 *
 * - `Committed(answer, position, wait, status)`: the answer as computed by the handler.
 * - `CommittedRead(read, position, wait, status)`: the answer read after the wait (a view of the
 *   read models the command just moved).
 * - `CommittedRefusal(error, position)`: a refusal that recorded something (a rule rejection's one
 *   alert): the wait, then the error.
 */
import type { Position } from '@kob/event-store';

export interface CommittedWait {
  /**
   * `after` (default): wait, bounded, for the read models (those named in `projectors`, else all)
   * and say `X-Projection-Pending` if they are behind. `in-force`: the change must be in force
   * before the answer (a revocation): 503 CHANGE_PENDING if the key lookup's read models lag.
   */
  mode?: 'after' | 'in-force';
  projectors?: readonly string[];
}

export class Committed<V> {
  constructor(
    readonly answer: V,
    readonly position: Position | null,
    readonly wait: CommittedWait = {},
    /** the HTTP status when it is not the route's own (`@HttpCode`) */
    readonly status?: number,
  ) {}
}

export class CommittedRead<V> {
  constructor(
    readonly read: () => Promise<V>,
    readonly position: Position | null,
    readonly wait: CommittedWait = {},
    readonly status?: number,
  ) {}
}

export class CommittedRefusal {
  constructor(
    readonly error: Error,
    readonly position: Position | null,
    readonly wait: CommittedWait = {},
  ) {}
}

/**
 * What a `CommittedRead` may read when the read model has not applied the command yet: the view
 * from the stream, answered with `X-Projection-Pending: true`.
 */
export class ProjectionPending<V> {
  constructor(readonly view: V) {}
}

export type CommittedResult<V> = Committed<V> | CommittedRead<V> | CommittedRefusal;
