/**
 * What a crash-test child needs to act as an HTTP request would: the command metadata the API
 * builds for it (request id as correlation and causation, the clock, and with an
 * Idempotency-Key the scope and request hash the route computes), so the client's retry over
 * HTTP is the same request as the one the child ran.
 */
import { newId, type Actor } from '@kob/kernel';
import type { CommandMetadata } from '@kob/platform';
import { idempotencyScope, requestHash } from '../../apps/api/src/http/command-context';

export function requestMetadata(
  actor: Actor,
  method: string,
  path: string,
  body: unknown,
  idempotencyKey?: string,
): CommandMetadata {
  const requestId = newId();
  return {
    actor,
    commandId: newId(),
    correlationId: requestId,
    causationId: requestId,
    now: new Date(),
    ...(idempotencyKey
      ? {
          idempotency: {
            key: idempotencyKey,
            scope: idempotencyScope(actor, method, path),
            requestHash: requestHash(method, path, body, {}),
          },
        }
      : {}),
  };
}
