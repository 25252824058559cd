/**
 * Request budgets (@fastify/rate-limit, fixed one-minute windows), answered 429 `RATE_LIMITED`
 * in the error envelope with `Retry-After` (seconds) and `X-Request-Id`:
 *
 * - per client address (`RATE_LIMIT_PER_IP_PER_MINUTE`): every request, keyed or not, checked
 *   when it arrives. The address is the socket's peer, or what a proxy named in `TRUST_PROXY`
 *   says in `X-Forwarded-For`; IPv6 addresses count per /64 (one host usually owns the subnet).
 * - per API key (`RATE_LIMIT_PER_KEY_PER_MINUTE`): charged by the access guard once the key is
 *   verified, and keyed by the key's public prefix, never by its secret. Charging before the
 *   check would let anyone who knows a prefix (it is in logs and audit records) spend another
 *   client's budget with a wrong secret; requests without a valid key count per address only.
 * - failed authentication (`RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE`): every 401 counts
 *   against its address (a missing, unknown, revoked key; a webhook with a bad signature); once
 *   the budget is spent, that address's requests are refused when they arrive, before any key
 *   lookup or signature check, until the window ends.
 * - `POST /psp/webhook` (`RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE`): a budget of its own per
 *   address instead of the general one, much smaller (a PSP retries a refused webhook later, so
 *   a 429 delays a notification, it does not lose it).
 *
 * `/health` and `/metrics` are never limited: orchestrators and Prometheus poll them from a few
 * addresses, and a 429 there would get a healthy replica restarted or blind monitoring exactly
 * when a flood makes them matter. They belong on a network only operators reach.
 *
 * The counters live in this process's memory: with several API replicas each counts its own,
 * so a client spread over N replicas by the load balancer gets up to N times each budget. Each
 * budget remembers the 5,000 most recent callers (the plugin's LRU); older ones start afresh.
 */
import fastifyRateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RateLimitConfig } from '@kob/config';
import type { Actor } from '@kob/kernel';
import { ApiError } from './api-error';

export const RATE_LIMIT_WINDOW_MS = 60_000;
/** Routes no budget applies to (see above). */
export const UNLIMITED_ROUTES: ReadonlySet<string> = new Set(['/health', '/metrics']);
const WEBHOOK_ROUTE = '/psp/webhook';

type BudgetName = 'per_ip' | 'per_key' | 'auth_failures_per_ip' | 'webhook_per_ip';
type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

const DESCRIPTIONS: Record<BudgetName, string> = {
  per_ip: 'too many requests from this address',
  per_key: 'too many requests with this API key',
  auth_failures_per_ip: 'too many failed authentications from this address',
  webhook_per_ip: 'too many webhook calls from this address',
};

function refusal(budget: BudgetName, perMinute: number, ttlMs: number): ApiError {
  const retryAfter = Math.max(1, Math.ceil(ttlMs / 1000));
  return new ApiError(
    429,
    'RATE_LIMITED',
    `${DESCRIPTIONS[budget]}; retry after ${retryAfter} s`,
    { limit: budget, limit_per_minute: perMinute, retry_after_seconds: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
}

/** The budgets of one process; `disabled()` when `RATE_LIMIT_ENABLED=false`. */
export class RequestBudgets {
  private constructor(
    private readonly config: RateLimitConfig,
    private readonly perKey: Limiter | null,
  ) {}

  static disabled(config: RateLimitConfig): RequestBudgets {
    return new RequestBudgets(config, null);
  }

  /** Registers the plugin and the address budgets' hooks on `fastify`. */
  static async register(
    fastify: FastifyInstance,
    config: RateLimitConfig,
  ): Promise<RequestBudgets> {
    if (!config.enabled) return RequestBudgets.disabled(config);
    await fastify.register(fastifyRateLimit, { global: false });
    const byAddress = (max: number) =>
      fastify.createRateLimit({ max, timeWindow: RATE_LIMIT_WINDOW_MS, keyGenerator: addressOf });
    const perIp = byAddress(config.perIpPerMinute);
    const webhook = byAddress(config.webhookPerIpPerMinute);
    const authFailures = byAddress(config.authFailuresPerIpPerMinute);
    fastify.addHook('onRequest', async (req) => {
      const route = req.routeOptions?.url;
      if (route !== undefined && UNLIMITED_ROUTES.has(route)) return;
      // A peek: only a 401 spends this budget (below); once it is spent, nothing goes through.
      const failures = await authFailures(req, { increment: false });
      if (!failures.isAllowed && failures.remaining === 0 && failures.ttl > 0) {
        throw refusal('auth_failures_per_ip', config.authFailuresPerIpPerMinute, failures.ttl);
      }
      const [name, limiter, max] =
        route === WEBHOOK_ROUTE
          ? (['webhook_per_ip', webhook, config.webhookPerIpPerMinute] as const)
          : (['per_ip', perIp, config.perIpPerMinute] as const);
      const outcome = await limiter(req);
      if (!outcome.isAllowed && outcome.isExceeded) throw refusal(name, max, outcome.ttl);
    });
    fastify.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions?.url;
      if (reply.statusCode !== 401 || (route !== undefined && UNLIMITED_ROUTES.has(route)))
        return done();
      authFailures(req).then(() => done(), done);
    });
    const perKey = fastify.createRateLimit({
      max: config.perKeyPerMinute,
      timeWindow: RATE_LIMIT_WINDOW_MS,
      keyGenerator: (req) => keyOf((req as FastifyRequest & { actor?: Actor }).actor),
    });
    return new RequestBudgets(config, perKey);
  }

  /** Spends one request of the verified key's budget (the actor is on `req`); 429 when spent. */
  async chargeKey(req: FastifyRequest & { actor?: Actor }): Promise<void> {
    if (!this.perKey || !req.actor) return;
    const outcome = await this.perKey(req);
    if (!outcome.isAllowed && outcome.isExceeded) {
      throw refusal('per_key', this.config.perKeyPerMinute, outcome.ttl);
    }
  }
}

function addressOf(req: FastifyRequest): string {
  return `ip:${normalizeIP(req.ip)}`;
}

/** A verified key by its public prefix (unique, and no secret); the legacy key by its name. */
function keyOf(actor: Actor | undefined): string {
  if (!actor) return 'key:none';
  return actor.kind === 'system' ? `system:${actor.name}` : `key:${actor.keyPrefix}`;
}
