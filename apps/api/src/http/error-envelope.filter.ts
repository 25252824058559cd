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

export function toErrorResponse(err: unknown): ErrorResponse {
  const body = (
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ) => ({
    status,
    body: { error: { code, message, ...(details ? { details } : {}) } },
    bug: false,
  });
  if (err instanceof ApiError)
    return { ...body(err.status, err.code, err.message, err.details), headers: err.headers };
  if (err instanceof DomainError)
    return body(KIND_STATUS[err.kind], err.code, err.message, err.details);
  // A value PostgreSQL refuses to store (a NUL reached an event): the input's fault, not a bug.
  if (err instanceof UnstorableEventError)
    return body(422, 'VALIDATION_ERROR', 'the request holds a value this service cannot store');
  // A 5xx HttpException (Nest maps Fastify's own 5xx errors to one) is a bug like any other:
  // answered as INTERNAL_ERROR without its message, and logged.
  if (err instanceof HttpException && err.getStatus() < 500) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? err.message);
    if (status === 404) return body(404, 'ROUTE_NOT_FOUND', 'no such route');
    return body(
      status,
      STATUS_CODES[status] ?? 'HTTP_ERROR',
      String(Array.isArray(message) ? message.join('; ') : message),
    );
  }
  const fst = err as { code?: string; statusCode?: number; message?: string };
  switch (fst?.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return body(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return body(413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than allowed');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return body(415, 'UNSUPPORTED_MEDIA_TYPE', 'unsupported Content-Type');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return body(400, 'BAD_REQUEST', 'the Content-Length does not match the body');
    case 'FST_ERR_BAD_URL':
      return body(400, 'MALFORMED_URL', 'the URL is not valid (bad percent-encoding)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return body(414, 'URI_TOO_LONG', 'a path parameter is longer than allowed');
    default:
      break;
  }
  if (err instanceof SyntaxError && fst.statusCode === 400) {
    return body(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
  }
  // Only Fastify's own errors say which 4xx they are. Any other error with a `statusCode` (an
  // outbound HTTP client's, say) describes someone else's answer: ours is then a 500.
  const fastifyOwn = typeof fst?.code === 'string' && fst.code.startsWith('FST_');
  const status = fst?.statusCode;
  if (fastifyOwn && typeof status === 'number' && status >= 400 && status < 500) {
    return body(status, STATUS_CODES[status] ?? 'BAD_REQUEST', fst.message ?? 'bad request');
  }
  const database = databaseFailure(err);
  if (database) {
    const down = database === 'unavailable';
    const retryAfter = down ? DATABASE_DOWN_RETRY_AFTER_SECONDS : DATABASE_BUSY_RETRY_AFTER_SECONDS;
    return {
      ...body(
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
  return { ...body(500, 'INTERNAL_ERROR', 'an unexpected error occurred'), bug: true };
}

/** Answers an error in the envelope; a bug is logged with its stack. */
export function sendError(
  log: Logger,
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
): void {
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
  if (request) void reply.header('X-Request-Id', request.id);
  for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
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
