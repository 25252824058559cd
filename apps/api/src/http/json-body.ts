/**
 * Request bodies are JSON only (API-RULES.md §6). Nest's own body parsers are off (buildApp passes
 * `bodyParser: false`) because they answered the contract wrongly: Nest turns the parser's
 * SyntaxError, and Fastify's empty-body error, into a bare 400 BadRequestException before any
 * filter sees them, so the envelope could only say BAD_REQUEST instead of MALFORMED_JSON; and
 * they also accepted form posts (and Fastify text/plain), which no route here understands.
 * Here the parser rejects with an ApiError, which Nest passes through to the envelope filter as
 * is; any other content type is Fastify's 415. File uploads (`MULTIPART_ROUTES`) also take
 * multipart/form-data, through @fastify/multipart; on every other route a multipart body is 415.
 */
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { limits } from '@kob/kernel';
import { ApiError } from './api-error';

/** The one route whose body stays raw text (the PSP webhook). */
const RAW_BODY_ROUTE = '/psp/webhook';

export function malformedJson(): ApiError {
  return new ApiError(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
}

/**
 * The routes that take multipart/form-data. Their handlers stream the parts themselves (the
 * parser only marks the request), so Fastify's body limit does not apply to them: each upload
 * route enforces its own byte limit while streaming (`PROOF_FILE_MAX_BYTES`).
 */
export const MULTIPART_ROUTES: ReadonlySet<string> = new Set([
  '/proofs/files',
  // The frontend's alias of the upload (FRONTEND-CONTRACT D6).
  '/files/proofs',
]);

/** Registers the multipart parser, refused (415) on every route but `MULTIPART_ROUTES`. */
export async function useMultipartUploads(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyMultipart, { throwFileSizeLimit: true });
  fastify.addHook('onRequest', (req, _reply, done) => {
    const type = req.headers['content-type'];
    if (typeof type !== 'string' || !/^\s*multipart\/form-data\b/i.test(type)) return done();
    const route = req.routeOptions?.url;
    // An unknown route keeps its 404.
    if (route !== undefined && !MULTIPART_ROUTES.has(route)) {
      return done(
        new ApiError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'this route takes a JSON body (application/json)',
        ),
      );
    }
    done();
  });
}

/** Installs the only body parser: JSON (empty, malformed or prototype-poisoned → 400). */
export function useJsonBodiesOnly(fastify: FastifyInstance): void {
  // Same parser as Fastify's default, which refuses `__proto__` and `constructor.prototype` keys.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    // Signed by HMAC over the raw bytes: the route verifies the signature, then parses itself.
    if (req.routeOptions?.url === RAW_BODY_ROUTE) return done(null, String(body));
    parseJson(req, String(body), (err: Error | null, value?: unknown) => {
      if (err) return done(malformedJson(), undefined);
      const problem = unstorable(value, '', 0);
      if (problem) {
        return done(
          new ApiError(
            422,
            'VALIDATION_ERROR',
            'the request body holds a value this service cannot store',
            {
              fields: { [problem.path || 'body']: [problem.reason] },
            },
          ),
          undefined,
        );
      }
      done(null, value);
    });
  });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Values that parse as JSON but cannot be stored or hashed faithfully: NUL characters and lone
 * surrogates (PostgreSQL's JSONB refuses them), numbers out of range (`1e999` parses to
 * Infinity), and nesting deeper than `limits.jsonBodyDepthMax`. Refused at the edge with a 422
 * naming the field, so they never reach an event.
 */
export function unstorable(
  value: unknown,
  path: string,
  depth: number,
): { path: string; reason: string } | null {
  if (depth > limits.jsonBodyDepthMax)
    return { path, reason: `nested deeper than ${limits.jsonBodyDepthMax} levels` };
  if (typeof value === 'number' && !Number.isFinite(value))
    return { path, reason: 'number out of range' };
  if (typeof value === 'string') return badText(value) ? { path, reason: badText(value)! } : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorable(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const keyPath = path ? `${path}.${k}` : k;
      const keyProblem = badText(k);
      if (keyProblem) return { path: keyPath, reason: `field name: ${keyProblem}` };
      const found = unstorable(v, keyPath, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

function badText(text: string): string | null {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains an unpaired UTF-16 surrogate';
  return null;
}
