/**
 * The global access guard: every route declares `@Access(...scopes)` or `@Public()`; anything
 * else is refused (a route someone forgot to declare is closed, not open). It authenticates the
 * key, puts the actor on the request for `@CurrentActor()`, spends one request of the key's
 * rate-limit budget (429 RATE_LIMITED once spent; charged only once the key is verified, see
 * http/rate-limits.ts), and checks the scope: 401 NO_API_KEY / UNAUTHORIZED /
 * LEGACY_KEY_FORBIDDEN, 403 INSUFFICIENT_SCOPE naming the scopes.
 */
import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Actor, Scope } from '@kob/kernel';
import { ApiError } from '../http/api-error';
import { httpOrigin } from '../http/command-context';
import type { CommandOrigin } from '../platform/command-origin';
import { RequestBudgets } from '../http/rate-limits';
import { ACCESS_METADATA, type AccessRule } from './access.decorator';
import { Authenticator } from './authenticator';

type WithActor = FastifyRequest & { actor?: Actor };

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly budgets: RequestBudgets,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    // A route that declares nothing is closed to everyone, admin included: a forgotten
    // declaration must never become an open (or admin-only) route.
    if (!rule)
      throw new ApiError(403, 'ROUTE_ACCESS_UNDECLARED', 'this route declares no access rule');
    if (rule.public) return true;
    const req = context.switchToHttp().getRequest<WithActor>();
    const actor = await this.authenticator.authenticate(req);
    req.actor = actor;
    await this.budgets.chargeKey(req);
    checkScope(actor, rule.scopes);
    return true;
  }
}

/**
 * 403 INSUFFICIENT_SCOPE naming `scopes` unless the actor's scope is one of them (admin always
 * is): the guard's check, and a handler's for a use of a route only some of its scopes may make
 * (`purpose` says which, after the list).
 */
export function checkScope(actor: Actor, scopes: readonly Scope[], purpose?: string): void {
  const scope = actor.kind === 'system' ? null : actor.scope;
  if (scope === 'admin' || (scope !== null && scopes.includes(scope))) return;
  const required = `Requires one of: [${scopes.join(', ')}]`;
  throw new ApiError(403, 'INSUFFICIENT_SCOPE', purpose ? `${required} ${purpose}` : required, {
    required_scopes: scopes,
    scope,
  });
}

/** The authenticated actor of the request (set by AccessGuard). */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<WithActor>();
  if (!req.actor) throw new ApiError(401, 'NO_API_KEY', 'API key required.');
  return req.actor;
});

/** The actor's linked user, or 403 KEY_HAS_NO_USER (API-RULES.md §1). */
export function userOf(actor: Actor): string {
  if (actor.kind === 'api_key' && actor.userId) return actor.userId;
  throw new ApiError(403, 'KEY_HAS_NO_USER', 'this API key is not linked to a user');
}

/** Where the request's command comes from (platform/command-origin.ts): its actor and metadata. */
export const Origin = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): CommandOrigin => {
    const req = ctx.switchToHttp().getRequest<WithActor>();
    if (!req.actor) throw new ApiError(401, 'NO_API_KEY', 'API key required.');
    return httpOrigin(req, req.actor);
  },
);
