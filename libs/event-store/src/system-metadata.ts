/**
 * The metadata of an append a system actor makes on its own, with no command before it (a
 * projector's alert, a benchmark's or a test's seed): one fresh id serves as command, correlation
 * and causation, stamped now.
 */
import { type SystemActorName, newId, systemActor } from '@kob/kernel';
import type { AppendMetadata } from './event-store.port';

export function systemAppendMetadata(
  name: SystemActorName,
  extra: Partial<AppendMetadata> = {},
): AppendMetadata {
  const id = newId();
  return {
    actor: systemActor(name),
    commandId: id,
    correlationId: id,
    causationId: id,
    occurredAt: new Date().toISOString(),
    ...extra,
  };
}
