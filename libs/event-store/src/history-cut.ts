/**
 * A point in a stream's history, the one rule the auditor's `replay --as-of` and the API's
 * `GET /escrows/{id}?as_of=` share: either a position token (`X-Event-Position`: the events at
 * or before it in `$all`) or an ISO-8601 instant with a zone (the events the store had recorded
 * by then, `recordedAt` ≤ it). Along one stream positions and recorded times only grow, so the
 * events within a cut are a prefix of the stream.
 */
import { parseInstant } from '@kob/kernel';
import {
  type Position,
  type RecordedEvent,
  comparePositions,
  decodePosition,
} from './event-store.port';

export type HistoryCut = { position: Position } | { time: Date };

/**
 * The cut `text` names: a position token, else an instant the API accepts (`parseInstant`: on
 * the calendar, with a zone); null when it is neither.
 */
export function parseHistoryCut(text: string): HistoryCut | null {
  const position = decodePosition(text);
  if (position) return { position };
  const ms = parseInstant(text);
  return Number.isNaN(ms) ? null : { time: new Date(ms) };
}

/** Whether `event` had happened at `cut`. */
function withinCut(event: RecordedEvent, cut: HistoryCut): boolean {
  return 'position' in cut
    ? comparePositions(event.position, cut.position) <= 0
    : event.recordedAt.getTime() <= cut.time.getTime();
}

/** A stream's events (in revision order) up to `cut`; all of them when there is no cut. */
export function historyUpTo<E extends RecordedEvent>(
  events: readonly E[],
  cut: HistoryCut | null,
): E[] {
  if (cut === null) return [...events];
  const end = events.findIndex((e) => !withinCut(e, cut));
  return end === -1 ? [...events] : events.slice(0, end);
}
