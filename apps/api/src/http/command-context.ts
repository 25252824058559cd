/**
 * Builds a command's metadata from the HTTP request: the actor (from the auth guard), a new
 * command id, the request id as correlation and causation id, the clock, the trace context, and
 * the idempotency context (API-RULES.md §4) when the request carries a key.
 */
import type { FastifyRequest } from 'fastify';
import { type Actor, canonicalJson, isUuid, limits, newId, sha256Hex } from '@kob/kernel';
import {
  type CommandMetadata,
  type IdempotencyContext,
  activeTraceparent,
  parseTraceparent,
} from '@kob/platform';
import { ApiError } from './api-error';
import type { CommandOrigin } from '../platform/command-origin';

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The Idempotency-Key header: 1–255 printable ASCII; missing or blank → 400 when required. */
export function readIdempotencyKey(req: FastifyRequest, required: boolean): string | undefined {
  const raw = req.headers['idempotency-key'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value.trim() === '') {
    if (required)
      throw new ApiError(
        400,
        'IDEMPOTENCY_KEY_REQUIRED',
        'this request needs an Idempotency-Key header',
      );
    return undefined;
  }
  if (value.length > limits.idempotencyKeyLengthMax || !PRINTABLE_ASCII.test(value)) {
    throw new ApiError(422, 'VALIDATION_ERROR', 'the Idempotency-Key header is not valid', {
      fields: {
        'Idempotency-Key': [
          `must be 1-${limits.idempotencyKeyLengthMax} printable ASCII characters`,
        ],
      },
    });
  }
  return value;
}

/** Scope = the key's linked user (else the API key id, else the actor), method, concrete path. */
export function idempotencyScope(actor: Actor, method: string, path: string): string {
  const who =
    actor.kind === 'api_key'
      ? actor.userId
        ? `user:${actor.userId}`
        : `key:${actor.keyId}`
      : actor.kind === 'legacy'
        ? 'legacy'
        : actor.name;
  return `${who}|${method.toUpperCase()} ${path}`;
}

export function requestHash(
  method: string,
  path: string,
  body: unknown,
  query: unknown = {},
): string {
  return sha256Hex(
    canonicalJson({ method: method.toUpperCase(), path, query: query ?? {}, body: body ?? null }),
  );
}

/**
 * The concrete path as the router understood it: the route template with the decoded parameter
 * values put back, so `/escrows/%61b/deposit` and `/escrows/ab/deposit` (one route, one escrow)
 * are one idempotency scope, whatever a client or proxy did to the encoding.
 */
export function canonicalPath(req: FastifyRequest): string {
  const template = req.routeOptions?.url;
  if (!template) return req.url.split('?')[0] ?? req.url;
  const params = (req.params ?? {}) as Record<string, unknown>;
  // Ids are compared in lower case (route-id.ts): `/escrows/AB…` and `/escrows/ab…` are one
  // escrow, so one scope.
  return template.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
    const value = String(params[name] ?? '');
    return encodeURIComponent(isUuid(value) ? value.toLowerCase() : value);
  });
}

export function idempotencyContext(
  req: FastifyRequest,
  actor: Actor,
  key: string,
): IdempotencyContext {
  const path = canonicalPath(req);
  return {
    key,
    scope: idempotencyScope(actor, req.method, path),
    requestHash: requestHash(req.method, path, req.body, req.query),
  };
}

/** The active span's traceparent, else a well-formed one the caller sent, else none. */
export function traceparentOf(req: FastifyRequest): string | undefined {
  const active = activeTraceparent();
  if (active) return active;
  const incoming = req.headers.traceparent;
  return typeof incoming === 'string' && parseTraceparent(incoming) ? incoming : undefined;
}

export function commandMetadata(
  req: FastifyRequest,
  actor: Actor,
  idempotencyKey?: string,
): CommandMetadata {
  const traceparent = traceparentOf(req);
  return {
    actor,
    commandId: newId(),
    correlationId: String(req.id),
    causationId: String(req.id),
    now: new Date(),
    ...(traceparent ? { traceparent } : {}),
    ...(idempotencyKey ? { idempotency: idempotencyContext(req, actor, idempotencyKey) } : {}),
  };
}

/** The command origin of an HTTP request (platform/command-origin.ts), for `@Origin()`. */
export function httpOrigin(req: FastifyRequest, actor: Actor): CommandOrigin {
  let made: CommandMetadata | undefined;
  return {
    actor,
    metadata: (idempotencyKey) =>
      (made ??= commandMetadata(
        req,
        actor,
        idempotencyKey === 'none'
          ? undefined
          : readIdempotencyKey(req, idempotencyKey === 'required'),
      )),
  };
}
