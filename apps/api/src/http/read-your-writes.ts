/**
 * Read-your-writes (ARCHITECTURE.md). After a command: `X-Event-Position` names its last event
 * and, in inline mode, the answer waits (bounded by INLINE_PROJECTION_WAIT_MS) until the
 * projections have applied it, else says `X-Projection-Pending: true`. On a GET, a client may
 * send `X-Min-Event-Position` back: the query waits, bounded, for the projections to pass it.
 */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { limits } from '@kob/kernel';
import { type Position, decodePosition, encodePosition } from '@kob/event-store';
import { ProjectionRunner } from '@kob/platform';
import { ApiError } from './api-error';
import { APP_CONFIG, type AppConfig } from '../platform/platform.providers';

/** The read models authentication reads (api_keys joined with users): a key's and a user's state. */
export const AUTH_PROJECTORS: readonly string[] = ['api_keys', 'users'];

@Injectable()
export class ReadYourWrites {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly projections: ProjectionRunner,
  ) {}

  /**
   * Called by command handlers with the position of what they appended. `projectors` names the
   * read models the answer's promise depends on (a new key must work at once: the key lookup's);
   * without it, every read model.
   */
  async afterCommand(
    reply: FastifyReply,
    position: Position | null,
    options: { projectors?: readonly string[] } = {},
  ): Promise<void> {
    if (!position) return;
    void reply.header('X-Event-Position', encodePosition(position));
    // A promise that names its read models (a new key works at once) is kept in every mode, in
    // worker mode by following the workers' checkpoints; any other answer waits only in inline
    // mode (a worker-mode client sends X-Min-Event-Position on its next read).
    const named = options.projectors !== undefined;
    if (this.config.projectionsMode !== 'inline' && !named) return;
    const { inlineProjectionWaitMs } = this.config;
    const waitMs = named
      ? Math.max(inlineProjectionWaitMs, limits.enforcedChangeWaitMinMs)
      : inlineProjectionWaitMs;
    const ok = await this.projections.waitFor(position, waitMs, {
      ...options,
      strict: named,
    });
    if (!ok) void reply.header('X-Projection-Pending', 'true');
  }

  /**
   * For changes that must be in force before the answer (revoking a key, deactivating a user):
   * waits for the read models the key lookup reads (AUTH_PROJECTORS), and only those, in every
   * mode (in worker mode by following the workers' checkpoints); if they have not applied the
   * change in time, answers 503 `CHANGE_PENDING` so the caller retries (the repeat appends
   * nothing and waits again). Another read model halted or behind does not hold the answer.
   */
  async requireProjected(reply: FastifyReply, position: Position | null): Promise<void> {
    if (!position) return;
    void reply.header('X-Event-Position', encodePosition(position));
    const waitMs = Math.max(this.config.inlineProjectionWaitMs, limits.enforcedChangeWaitMinMs);
    // Strict: a parked revocation (another replica's or a worker's too) is not in force.
    if (
      await this.projections.waitFor(position, waitMs, {
        projectors: AUTH_PROJECTORS,
        strict: true,
      })
    )
      return;
    throw new ApiError(
      503,
      'CHANGE_PENDING',
      'the change is recorded but not yet in force everywhere (projections are behind): retry the request',
      { position: encodePosition(position) },
    );
  }

  async beforeQuery(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const raw = req.headers['x-min-event-position'];
    const token = Array.isArray(raw) ? raw[0] : raw;
    if (!token) return;
    const position = decodePosition(token);
    if (!position)
      throw new ApiError(
        400,
        'INVALID_EVENT_POSITION',
        'X-Min-Event-Position is not a position token',
      );
    const ok = await this.projections.waitFor(position, limits.readYourWritesWaitMaxMs);
    if (!ok) void reply.header('X-Projection-Pending', 'true');
  }
}

/**
 * On a GET, the wait for `X-Min-Event-Position` (bounded; `X-Projection-Pending` when it runs
 * out), once the caller is let in: a global guard registered after the access guard, which lets
 * every request through (a malformed token is a 400).
 */
@Injectable()
export class MinEventPositionGuard implements CanActivate {
  constructor(private readonly ryw: ReadYourWrites) {}

  canActivate(ctx: ExecutionContext): boolean | Promise<boolean> {
    const http = ctx.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    // Answered at once (no promise for Nest to await) unless there is something to wait for.
    if (req.method !== 'GET' || req.headers['x-min-event-position'] === undefined) return true;
    return this.ryw.beforeQuery(req, http.getResponse<FastifyReply>()).then(() => true);
  }
}
