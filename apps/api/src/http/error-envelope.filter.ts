/**
 * Every error leaves in the envelope `{"error":{"code","message","details"?}}` (API-RULES.md §6).
 * Bad input is a 4xx with a stable code; only a bug is a 500, and it is logged with its stack.
 */
import { loggableUrl } from '../../../../libs/platform/src/observability/logger';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorKind } from '../../../../libs/kernel/src';
import { UnstorableEventError } from '../../../../libs/event-store/src';
import { ApiError } from './api-error';

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

export function toErrorResponse(err: unknown): { status: number; body: ErrorBody; bug: boolean } {
  const body = (status: number, code: string, message: string, details?: Record<string, unknown>) => ({
    status,
    body: { error: { code, message, ...(details ? { details } : {}) } },
    bug: false,
  });
  if (err instanceof ApiError) return body(err.status, err.code, err.message, err.details);
  if (err instanceof DomainError) return body(KIND_STATUS[err.kind], err.code, err.message, err.details);
  // A value PostgreSQL refuses to store (a NUL reached an event): the input's fault, not a bug.
  if (err instanceof UnstorableEventError) return body(422, 'VALIDATION_ERROR', 'the request holds a value this service cannot store');
  // A 5xx HttpException (Nest maps Fastify's own 5xx errors to one) is a bug like any other:
  // answered as INTERNAL_ERROR without its message, and logged.
  if (err instanceof HttpException && err.getStatus() < 500) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message = typeof res === 'string' ? res : ((res as { message?: unknown }).message ?? err.message);
    if (status === 404) return body(404, 'ROUTE_NOT_FOUND', 'no such route');
    return body(status, STATUS_CODES[status] ?? 'HTTP_ERROR', String(Array.isArray(message) ? message.join('; ') : message));
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
  return { ...body(500, 'INTERNAL_ERROR', 'an unexpected error occurred'), bug: true };
}

/** Answers an error in the envelope; a bug is logged with its stack. */
export function sendError(
  log: Logger,
  exception: unknown,
  request: FastifyRequest | undefined,
  reply: FastifyReply,
): void {
  const { status, body, bug } = toErrorResponse(exception);
  if (bug) {
    log.error({ err: exception, reqId: request?.id, url: loggableUrl(request?.url ?? '') }, 'unhandled error (bug)');
  }
  if (request) void reply.header('X-Request-Id', request.id);
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
