/**
 * Every error leaves in the envelope `{"error":{"code","message","details"?}}` (API-RULES.md §6).
 * Bad input is a 4xx with a stable code; only a bug is a 500, and it is logged with its stack.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, type DomainErrorKind } from '../../../../libs/kernel/src';
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
  if (err instanceof HttpException) {
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
    default:
      break;
  }
  if (err instanceof SyntaxError && fst.statusCode === 400) {
    return body(400, 'MALFORMED_JSON', 'the request body is not valid JSON');
  }
  if (typeof fst?.statusCode === 'number' && fst.statusCode >= 400 && fst.statusCode < 500) {
    return body(fst.statusCode, STATUS_CODES[fst.statusCode] ?? 'BAD_REQUEST', fst.message ?? 'bad request');
  }
  return { ...body(500, 'INTERNAL_ERROR', 'an unexpected error occurred'), bug: true };
}

@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const { status, body, bug } = toErrorResponse(exception);
    if (bug) {
      this.log.error({ err: exception, reqId: request?.id, url: request?.url }, 'unhandled error (bug)');
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
