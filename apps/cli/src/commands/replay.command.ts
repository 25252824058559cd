/**
 * `replay --stream S [--as-of TIME|POSITION]`: an aggregate's state at a point of its history,
 * folded by its decider exactly as the command runner folds it (`foldEvents`), and the events
 * that built it: who (actor), when, what (type). `--as-of` takes a position token (the events
 * at or before it in `$all`) or an ISO-8601 time (the events the store had recorded by then);
 * without it, the state today.
 */
import { type DomainEvent, deciderOfStream, foldEvents } from '@kob/domain';
import {
  type Position,
  type RecordedEvent,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { auditActorLabel } from '@kob/projections';
import { type CliCommand, type CommandArgs, UsageError, stringOption } from '../cli-command';
import { note, out, outJson } from '../output';

/** An ISO-8601 date-time with a zone (`2026-12-01T10:00:00Z`, `…+01:00`). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type AsOf = { position: Position } | { time: Date } | null;

function asOfOption(args: CommandArgs): AsOf {
  const raw = stringOption(args, 'as-of');
  if (raw === undefined) return null;
  const position = decodePosition(raw);
  if (position) return { position };
  const time = ISO_TIME.test(raw) ? new Date(raw) : null;
  if (!time || Number.isNaN(time.getTime()))
    throw new UsageError(
      `--as-of takes a position token or an ISO-8601 time, not ${raw}`,
      'replay',
    );
  return { time };
}

/** The events of the stream's history up to `asOf` (a prefix: positions and times only grow). */
function upTo(events: readonly RecordedEvent[], asOf: AsOf): RecordedEvent[] {
  const within = (e: RecordedEvent) =>
    asOf === null ||
    ('position' in asOf
      ? comparePositions(e.position, asOf.position) <= 0
      : e.recordedAt.getTime() <= asOf.time.getTime());
  const end = events.findIndex((e) => !within(e));
  return end === -1 ? [...events] : events.slice(0, end);
}

function eventView(e: RecordedEvent) {
  return {
    revision: e.revision.toString(),
    position: encodePosition(e.position),
    type: e.type,
    actor: e.metadata.actor ?? null,
    actor_label: auditActorLabel(e.metadata.actor),
    occurred_at: typeof e.metadata.occurredAt === 'string' ? e.metadata.occurredAt : null,
    recorded_at: e.recordedAt.toISOString(),
  };
}

function printText(streamId: string, asOf: string, events: RecordedEvent[], state: unknown): void {
  const last = events[events.length - 1];
  out(
    `stream=${streamId} as_of=${asOf} events=${events.length} revision=${last?.revision ?? 'none'}`,
  );
  for (const v of events.map(eventView))
    out(`  #${v.revision} ${v.recorded_at} ${v.type} by ${v.actor_label} position=${v.position}`);
  out('state:');
  out(JSON.stringify(state, null, 2));
}

async function replay(platform: Platform, args: CommandArgs): Promise<number> {
  const streamId = stringOption(args, 'stream');
  if (streamId === undefined) throw new UsageError('replay needs --stream <id>', 'replay');
  const asOf = asOfOption(args);
  const all = await platform.store.readStream(streamId);
  if (all.length === 0) {
    note(`kobatela: no stream ${streamId}`);
    return 1;
  }
  const events = upTo(all, asOf);
  const decider = deciderOfStream(streamId);
  // Streams of no aggregate (reservations, alerts) have events but no state to fold.
  const state = decider ? foldEvents(decider, events as readonly DomainEvent[]) : null;
  if (!decider) note(`kobatela: no decider folds ${streamId}: events only`);
  const asOfText = stringOption(args, 'as-of') ?? 'now';
  if (args.json) {
    const last = events[events.length - 1];
    outJson({
      stream: streamId,
      as_of: asOfText,
      revision: last?.revision.toString() ?? null,
      position: last ? encodePosition(last.position) : null,
      state,
      events: events.map(eventView),
    });
  } else printText(streamId, asOfText, events, state);
  return 0;
}

export const replayCommand: CliCommand = {
  name: 'replay',
  usage: [
    'replay --stream <id> [--as-of <time>|<position>]',
    "                            an aggregate's state at that point and the events that built it",
  ],
  details:
    "Folds the stream's events with its aggregate's decider, as the service does. --as-of takes a\n" +
    'position token (X-Event-Position: the events at or before it) or an ISO-8601 time with a\n' +
    'zone (the events recorded by then); default: now. Lists each event: revision, recorded time,\n' +
    'type, actor. Exits 1 if the stream does not exist.',
  options: { stream: { type: 'string' }, 'as-of': { type: 'string' } },
  positionalsMax: 0,
  run: replay,
};
