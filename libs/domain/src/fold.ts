/**
 * Folding a stream's stored events into its aggregate's state, the one way every reader does it:
 * the command runner (loading a stream, answering a repeated command) and the auditor's `replay`.
 * Each stored event is first brought to its current version (the decider's upcaster, when it has
 * one), then evolved.
 */
import { isReadPin } from '@kob/kernel';
import type { Decider, DomainEvent } from './decider';

/** A stored event as its decider's `evolve` takes it: upcast when the decider upcasts. */
export function upcastEvent<E extends DomainEvent>(
  decider: Decider<unknown, unknown, E>,
  stored: DomainEvent,
): E {
  const event = { type: stored.type, data: stored.data };
  return decider.upcast ? decider.upcast(event) : (event as E);
}

/**
 * The state after `events`, evolved from `state` (the decider's initial state by default); a
 * read pin (a store's record of a decision that read the stream) carries no fact and is skipped.
 */
export function foldEvents<S, E extends DomainEvent>(
  decider: Decider<S, any, E>,
  events: Iterable<DomainEvent>,
  state: S = decider.initialState(),
): S {
  let folded = state;
  for (const e of events) {
    if (!isReadPin(e)) folded = decider.evolve(folded, upcastEvent(decider, e));
  }
  return folded;
}
