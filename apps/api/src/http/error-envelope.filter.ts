/**
 * Every error leaves in the envelope `{"error":{"code","message","details"?}}` (API-RULES.md §6).
 * Bad input is a 4xx with a stable code; only a bug is a 500, and it is logged with its stack.
 * A database that cannot be reached, or is too busy this time, is not a bug: 503
 * DATABASE_UNAVAILABLE with Retry-After, whatever step of the request met it (the key lookup
 * of the access guard, a read, an append). The only network peer whose failures reach this
 * filter is PostgreSQL: the PSP and AI adapters turn theirs into answers of their own.
 */
import { loggableUrl } from '@kob/platform';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorKind } from '@kob/kernel';
import { UnstorableEventError } from '@kob/event-store';
import { databaseFailure } from '@kob/postgres';
import { ApiError } from './api-error';
import { spanFailed } from './request-tracing';

/** How long a client should wait before retrying when the database is down, or busy. */
export const DATABASE_DOWN_RETRY_AFTER_SECONDS = 5;
export const DATABASE_BUSY_RETRY_AFTER_SECONDS = 1;

const KIND_STATUS: Record<DomainErrorKind, number> = {
  invalid: 422,
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
};

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_ERROR',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  bug: boolean;
  headers?: Record<string, string>;
  /** A database failure: logged as a warning (an operations matter, not a bug). */
  databaseFailure?: string;
}

function errorBody(
  status: number,
  code: string,
  message: string,
  details?: Record<string, unknown>,
): ErrorResponse {
  return {
    status,
    body: { error: { code, message, ...(details ? { details } : {}) } },
    bug: false,
  };
}

export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError)
    return { ...errorBody(err.status, err.code, err.message, err.details), headers: err.headers };
  if (err instanceof DomainError)
    return errorBody(KIND_STATUS[err.kind], err.code, err.message, err.details);
  // A value PostgreSQL refuses to store (a NUL reached an event): the input's fault, not a bug.
  if (err instanceof UnstorableEventError)
    return errorBody(
      422,
      'VALIDATION_ERROR',
      'the request holds a value this service cannot store',
    );
  // A 5xx HttpException (Nest maps Fastify's own 5xx errors to one) is a bug like any other:
  // answered as INTERNAL_ERROR without its message, and logged.
  if (err instanceof HttpException && err.getStatus() < 500) return httpExceptionResponse(err);
  const fastify = fastifyErrorResponse(err);
  if (fastify) return fastify;
  const database = databaseFailure(err);
  if (database) return databaseFailureResponse(database);
  return { ...errorBody(500, 'INTERNAL_ERROR', 'an unexpected error occurred'), bug: true };
}

function httpExceptionResponse(err: HttpException): ErrorResponse {
  const status = err.getStatus();
  const res = err.getResponse();
  const message =
    typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? err.message);
  if (status === 404) return errorBody(404, 'ROUTE_NOT_FOUND', 'no such route');
  return errorBody(
    status,
    STATUS_CODES[status] ?? 'HTTP_ERROR',
    String(Array.isArray(message) ? message.join('; ') : message),
  );
}

/** Fastify's own 4xx errors (body parsing, URL, parameters), by code. */
const FASTIFY_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'MALFORMED_JSON', 'the request body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'MALFORMED_JSON', 'the request body is not valid JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than allowed'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
    400,
    'BAD_REQUEST',
    'the Content-Length does not match the body',
  ],
  FST_ERR_BAD_URL: [400, 'MALFORMED_URL', 'the URL is not valid (bad percent-encoding)'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'URI_TOO_LONG', 'a path parameter is longer than allowed'],
};

function fastifyErrorResponse(err: unknown): ErrorResponse | null {
  const fst = err as { code?: string; statusCode?: number; message?: string };
  const known = typeof fst?.code === 'string' ? FASTIFY_ERRORS[fst.code] : undefined;
  if (known) return errorBody(...known);
  if (err instanceof SyntaxError && fst.statusCode === 400) {
    return errorBody(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
  }
  // Only Fastify's own errors say which 4xx they are. Any other error with a `statusCode` (an
  // outbound HTTP client's, say) describes someone else's answer: ours is then a 500.
  const fastifyOwn = typeof fst?.code === 'string' && fst.code.startsWith('FST_');
  const status = fst?.statusCode;
  if (fastifyOwn && typeof status === 'number' && status >= 400 && status < 500) {
    return errorBody(status, STATUS_CODES[status] ?? 'BAD_REQUEST', fst.message ?? 'bad request');
  }
  return null;
}

function databaseFailureResponse(
  database: NonNullable<ReturnType<typeof databaseFailure>>,
): ErrorResponse {
  const down = database === 'unavailable';
  const retryAfter = down ? DATABASE_DOWN_RETRY_AFTER_SECONDS : DATABASE_BUSY_RETRY_AFTER_SECONDS;
  return {
    ...errorBody(
      503,
      'DATABASE_UNAVAILABLE',
      down
        ? 'the database cannot be reached; retry later'
        : 'the database is too busy to answer now; retry later',
      { retry_after_seconds: retryAfter },
    ),
    headers: { 'Retry-After': String(retryAfter) },
    databaseFailure: database,
  };
}

/**
 * The error's answer in the envelope, logged as it deserves (a bug with its stack), its status
 * and headers set on `reply`: the body to send (`sendError`), or to answer with from a hook that
 * cannot send (http/committed-answers.ts). The request's server span, if any, is marked failed.
 */
export function errorAnswer(
  log: Logger,
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
): ErrorBody {
  const { status, body, bug, headers, databaseFailure: database } = toErrorResponse(exception);
  if (bug) {
    log.error(
      { err: exception, reqId: request?.id, url: loggableUrl(request?.url ?? '') },
      'unhandled error (bug)',
    );
  } else if (database) {
    const err = exception as { message?: unknown; code?: unknown };
    log.warn(
      { reqId: request?.id, failure: database, code: err?.code, reason: String(err?.message) },
      'database unavailable: answered 503',
    );
  }
  spanFailed(request, exception);
  if (request) void reply.header('X-Request-Id', request.id);
  for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
  void reply.status(status).header('content-type', 'application/json; charset=utf-8');
  return body;
}

/** Answers an error in the envelope (`errorAnswer`). */
export function sendError(
  log: Logger,
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
): void {
  void reply.send(errorAnswer(log, exception, request, reply));
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    sendError(this.log, exception, request, ctx.getResponse<FastifyReply>());
  }
}
