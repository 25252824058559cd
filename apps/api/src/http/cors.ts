/**
 * CORS for the origins in `CORS_ALLOW_ORIGINS` (Nest's `enableCors`, i.e. @fastify/cors), and
 * preflights it refuses answered in the error envelope with `X-Request-Id` like every other
 * error (API-RULES.md §6).
 *
 * @fastify/cors answers a preflight it cannot honour either with a bare `400 text/plain`
 * (no Origin or no Access-Control-Request-Method) or with a 204 that simply lacks the grant
 * (an origin, method or header not allowed), which tells a developer nothing. `preflightCheck`
 * runs first on every request (Nest's adapter's own first request hook, before the CORS one)
 * and hands a refusal to the error handler: a malformed preflight is 400
 * `CORS_PREFLIGHT_INVALID`; an origin, method or header not allowed is 403
 * `CORS_ORIGIN_NOT_ALLOWED`, `CORS_METHOD_NOT_ALLOWED` or `CORS_HEADER_NOT_ALLOWED`. A preflight
 * that passes is answered by @fastify/cors, from static options. (These checks used to live in
 * @fastify/cors's per-request options delegate: the plugin then rebuilds its options object for
 * every request, with a spread that on Node 20 gives each a hidden class of its own, which was
 * half of what a read left in V8's old generation: README, Performance.)
 * None of these refusals carries a grant, so a browser still refuses the cross-origin call.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';

export const EXPOSED_HEADERS = ['X-Request-Id', 'X-Event-Position', 'X-Projection-Pending'];
export const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-API-Key',
  'X-Request-Id',
  'X-Min-Event-Position',
];
export const ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Headers a browser may always send (CORS-safelisted): never a reason to refuse. */
const SAFELISTED_HEADERS = ['accept', 'accept-language', 'content-language'];
/** At most this many refused header names are named back, each cut to this length. */
const NAMED_HEADERS_MAX = 20;
const NAMED_HEADER_LENGTH_MAX = 100;

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(',') : v);

/** Why a preflight cannot be granted, or null when @fastify/cors may answer it. */
export function preflightProblem(req: FastifyRequest, origins: readonly string[]): ApiError | null {
  const origin = single(req.headers.origin);
  const method = single(req.headers['access-control-request-method']);
  if (!origin || !method) {
    return new ApiError(
      400,
      'CORS_PREFLIGHT_INVALID',
      'an OPTIONS request must be a CORS preflight with Origin and Access-Control-Request-Method',
    );
  }
  if (!origins.includes('*') && !origins.includes(origin)) {
    return new ApiError(
      403,
      'CORS_ORIGIN_NOT_ALLOWED',
      'this origin may not call the API from a browser',
    );
  }
  if (!ALLOWED_METHODS.includes(method.trim())) {
    return new ApiError(
      403,
      'CORS_METHOD_NOT_ALLOWED',
      'this method may not be used from a browser',
      {
        allowed_methods: ALLOWED_METHODS,
      },
    );
  }
  const allowed = new Set([...ALLOWED_HEADERS.map((h) => h.toLowerCase()), ...SAFELISTED_HEADERS]);
  const refused = (single(req.headers['access-control-request-headers']) ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '' && !allowed.has(h));
  if (refused.length > 0) {
    const named = refused
      .slice(0, NAMED_HEADERS_MAX)
      .map((h) => h.slice(0, NAMED_HEADER_LENGTH_MAX));
    return new ApiError(
      403,
      'CORS_HEADER_NOT_ALLOWED',
      'these request headers may not be sent from a browser',
      { headers_not_allowed: named, allowed_headers: ALLOWED_HEADERS },
    );
  }
  return null;
}

/** The static CORS options (what a preflight that passes is granted). */
export function corsOptions(origins: readonly string[]) {
  return {
    origin: origins.includes('*') ? true : [...origins],
    methods: ALLOWED_METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
  };
}

/** A request hook that refuses the preflights @fastify/cors cannot honour (above). */
export function preflightCheck(
  origins: readonly string[],
): (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => void {
  return (req, _reply, done) => {
    const problem = req.method === 'OPTIONS' ? preflightProblem(req, origins) : null;
    if (problem) done(problem);
    else done();
  };
}
