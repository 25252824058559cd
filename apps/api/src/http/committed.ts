/**
 * What a command handler answers: the view the client reads, and the position of what the command
 * appended. `CommittedInterceptor` turns it into the HTTP answer: `X-Event-Position`, the
 * read-your-writes wait (http/read-your-writes.ts) and then the view, so a controller only
 * dispatches and a handler knows nothing of HTTP.
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
  ) {}
}
