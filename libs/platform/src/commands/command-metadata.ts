/** A command's metadata: the checks every command passes, and what its events carry. */
import { assert, isActor } from '@kob/kernel';
import type { AppendMetadata } from '@kob/event-store';
import { activeTraceparent } from '../observability/tracing';
import type { CommandMetadata } from './command-types';

/** The metadata a command's events carry (for appends made outside `execute`, e.g. markers). */
export function eventMetadataOf(m: CommandMetadata): AppendMetadata {
  assertMetadata(m);
  const traceparent = m.traceparent ?? activeTraceparent();
  return {
    actor: m.actor,
    commandId: m.commandId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    occurredAt: m.now.toISOString(),
    ...(traceparent ? { traceparent } : {}),
    ...(m.idempotency
      ? {
          idempotencyKey: m.idempotency.key,
          idempotencyScope: m.idempotency.scope,
          requestHash: m.idempotency.requestHash,
        }
      : {}),
  };
}

export function assertMetadata(m: CommandMetadata): void {
  // No command runs without an actor: this is the pipeline's half of that rule.
  assert(isActor(m?.actor), 'a command needs an actor in its metadata');
  assert(typeof m.commandId === 'string' && m.commandId.length > 0, 'a command needs a commandId');
  assert(
    m.now instanceof Date && !Number.isNaN(m.now.getTime()),
    'a command needs a clock reading',
  );
}

/** A command's `type` when it has one (`OpenTally`), else the decider's category. */
export function commandKind(command: unknown, decider: { category: string }): string {
  const type =
    typeof command === 'object' && command !== null
      ? (command as { type?: unknown }).type
      : undefined;
  return typeof type === 'string' ? type : decider.category;
}
