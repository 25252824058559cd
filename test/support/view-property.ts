/**
 * Shared pieces of the view property specs (issue 12): views are how read-model rows and folded
 * states leave the API, so whatever a client stored must come out of them as well-formed JSON,
 * unchanged unless a mask says otherwise. `stored` gives a value as the event store or a jsonb
 * column returns it (after a JSON round trip), `fold` a decider's state after events, and
 * `viewProblems` what is wrong with a view's output (ill-formed text, a failed round trip).
 */
import type { NewEvent } from '@kob/event-store';
import { illFormedStrings, jsonRoundTrip } from './hostile-values';

export function stored<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The state of `decider` after `events` (their data as stored). */
export function fold<S, E>(
  decider: { initialState(): S; evolve(state: S, event: E): S },
  events: readonly NewEvent[],
): S {
  return events.reduce(
    (state, e) => decider.evolve(state, { type: e.type, data: stored(e.data) } as E),
    decider.initialState(),
  );
}

export function viewProblems(out: unknown): string[] {
  const problems = illFormedStrings(out).map((s) => `ill-formed: ${JSON.stringify(s)}`);
  const { text, again } = jsonRoundTrip(out);
  if (again !== text) problems.push('JSON round trip changed the output');
  return problems;
}

/** An ISO time the read models return as a Date. */
export const A_TIME = new Date('2026-11-27T10:00:00.000Z');
