/**
 * Security headers on every answer (helmet), errors and the Swagger UI included:
 *
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY`
 *   and CSP `frame-ancestors 'none'` (no page of this service may be framed: clickjacking).
 * - CSP: the API answers JSON, which needs nothing (`default-src 'none'`). The Swagger UI at
 *   `/docs` is an HTML page whose scripts, styles and images all come from this origin (served by
 *   @fastify/static through @nestjs/swagger), with inline `<style>` blocks and `data:` icons, and
 *   its own policy allows exactly that (no inline script, no other origin).
 * - `Strict-Transport-Security` only on answers to requests that came over TLS: directly, or
 *   through a proxy named in `TRUST_PROXY` that says `X-Forwarded-Proto: https`. Never on plain
 *   http (a browser would then refuse the plain-http service for a year), and never because an
 *   untrusted client claims https.
 * - `Cache-Control: no-store` on every answer but the Swagger UI's static files: answers carry
 *   balances, personal data and, once, API keys (`POST /apikeys`), and a financial API gains
 *   nothing from caches that could keep them (a shared proxy, a browser's disk cache). The
 *   public answers (`/health`, `/metrics`, `/openapi.json`) must be fresh anyway. It is forced,
 *   not defaulted, so no route can opt a secret into a cache by setting its own header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';

/** One year: the usual HSTS lifetime (and the minimum browsers' preload lists accept). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** The Swagger UI (HTML, scripts, styles, its init script); `/openapi.json` is plain JSON. */
const DOCS_PREFIX = '/docs';
/** The Swagger UI's static files, which may be cached like any static asset. */
const DOCS_ASSETS_ROUTE = '/docs/*';

const API_CSP = {
  defaultSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
};

const DOCS_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  // The page's own <style> blocks and style attributes (swagger-ui's HTML template).
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const isDocs = (url: string) => url === DOCS_PREFIX || url.startsWith(`${DOCS_PREFIX}/`);

const HSTS = `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`;

/** What helmet sets besides the policy, the same on every route; HSTS is added per request. */
const HELMET_OPTIONS = {
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
} as const;

/**
 * The headers helmet's middleware sets for these options, read once from a response that only
 * records them. Our policies are fixed (no nonce, no directive computed per request), so every
 * answer gets the same ones; they go to Fastify's reply as they are, with no middleware chain and
 * no `setHeader` on the raw response per header and request. (The Fastify plugin,
 * `@fastify/helmet`, builds helmet's middleware anew from its options on every request.) A
 * helmet that did anything else with the response would fail here, at start.
 */
function helmetHeaders(options: Parameters<typeof helmet>[0]): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name.toLowerCase(), String(value));
    },
    // helmet removes X-Powered-By, which Fastify never sets.
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  let failure: unknown = null;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err ?? null;
  });
  if (failure !== null) throw failure;
  return [...headers];
}

const API_HEADERS = helmetHeaders({
  ...HELMET_OPTIONS,
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
});
const DOCS_HEADERS = helmetHeaders({
  ...HELMET_OPTIONS,
  contentSecurityPolicy: { useDefaults: false, directives: DOCS_CSP },
});

/** Registers the headers on every request, routed or not (a 404 gets the API's). */
export function useSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (req, reply, done) => {
    const route = req.routeOptions.url;
    const headers = route !== undefined && isDocs(route) ? DOCS_HEADERS : API_HEADERS;
    for (const [name, value] of headers) void reply.header(name, value);
    if (req.protocol === 'https') void reply.header('Strict-Transport-Security', HSTS);
    done();
  });
}

/**
 * `X-Request-Id`, `Cache-Control: no-store` (forced), and the API's security headers (and HSTS)
 * where the request hook did not put them. Run when any answer leaves (below), and by the
 * handler of the errors Fastify answers before routing, which skip every hook.
 */
export function addEveryAnswerHeaders(req: FastifyRequest, reply: FastifyReply): void {
  if (!reply.hasHeader('x-request-id')) void reply.header('X-Request-Id', req.id);
  // Where the request hook never ran (a preflight answered by the CORS hook Nest adds first, an
  // error Fastify answers before routing): the API's headers.
  if (!reply.hasHeader('x-content-type-options')) {
    for (const [name, value] of API_HEADERS) void reply.header(name, value);
    if (req.protocol === 'https') void reply.header('Strict-Transport-Security', HSTS);
  }
  if (req.routeOptions?.url !== DOCS_ASSETS_ROUTE) void reply.header('Cache-Control', 'no-store');
}

export function useEveryAnswerHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (req, reply, payload, done) => {
    addEveryAnswerHeaders(req, reply);
    done(null, payload);
  });
}
