/**
 * Request bodies are JSON only (API-RULES.md §6). Nest's own body parsers are off (buildApp passes
 * `bodyParser: false`) because they answered the contract wrongly: Nest turns the parser's
 * SyntaxError, and Fastify's empty-body error, into a bare 400 BadRequestException before any
 * filter sees them, so the envelope could only say BAD_REQUEST instead of MALFORMED_JSON; and
 * they also accepted form posts (and Fastify text/plain), which no route here understands.
 * Here the parser rejects with an ApiError, which Nest passes through to the envelope filter as
 * is; any other content type is Fastify's 415. Multipart uploads add their own parser later.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error';

export function malformedJson(): ApiError {
  return new ApiError(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
}

/** Installs the only body parser: JSON (empty, malformed or prototype-poisoned → 400). */
export function useJsonBodiesOnly(fastify: FastifyInstance): void {
  // Same parser as Fastify's default, which refuses `__proto__` and `constructor.prototype` keys.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    parseJson(req, String(body), (err: Error | null, value?: unknown) => {
      if (err) done(malformedJson(), undefined);
      else done(null, value);
    });
  });
}
