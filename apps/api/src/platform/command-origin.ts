/**
 * Who and what a command comes from, without the transport: the actor, and the metadata every
 * appended event carries (command id, correlation, clock, trace, idempotency context). The HTTP
 * layer builds one from the request (http/command-context.ts `httpOrigin`), a scheduler job from
 * its system actor (`systemOrigin`). A handler asks for the metadata when its use case reaches
 * that step, so a request is refused in the same order as before (access, then the key).
 */
import { type Actor, type SystemActorName, newId, systemActor } from '@kob/kernel';
import type { CommandMetadata } from '@kob/platform';

export type { CommandMetadata };

export interface CommandOrigin {
  readonly actor: Actor;
  /**
   * The command's metadata, made once per origin (later calls answer the same). `required`: the
   * request must carry an Idempotency-Key (400 IDEMPOTENCY_KEY_REQUIRED otherwise); `optional`:
   * used when present. Either way a malformed key is 422. A controller that refused a missing
   * key before anything else did so by asking for the metadata first. `none`: the key is not
   * read at all (a route that never took one).
   */
  metadata(idempotencyKey: 'required' | 'optional' | 'none'): CommandMetadata;
}

/** The origin of a command a scheduler job (or the service itself) dispatches. */
export function systemOrigin(name: SystemActorName, now: Date = new Date()): CommandOrigin {
  const actor = systemActor(name);
  const id = newId();
  const metadata: CommandMetadata = {
    actor,
    commandId: id,
    correlationId: id,
    causationId: id,
    now,
  };
  return { actor, metadata: () => metadata };
}
