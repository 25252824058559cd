/**
 * `replay --stream S [--as-of TIME|POSITION]`: an aggregate's state at a point of its history,
 * folded by its decider exactly as the command runner folds it (`foldEvents`), and the events
 * that built it: who (actor), when, what (type). `--as-of` takes a position token (the events
 * at or before it in `$all`) or an ISO-8601 time (the events the store had recorded by then);
 * without it, the state today. The cut is `HistoryCut` (libs/event-store), the same rule as
 * `GET /escrows/{id}?as_of=`.
 */
import { type DomainEvent, deciderOfStream, foldEvents } from '@kob/domain';
import {
  type HistoryCut,
  type RecordedEvent,
  encodePosition,
  historyUpTo,
  parseHistoryCut,
} from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { auditActorLabel } from '@kob/projections';
import { type CliCommand, type CommandArgs, UsageError, stringOption } from '../cli-command';
import { note, out, outJson } from '../output';

/** The cut `--as-of` names (none: the whole stream); a usage error when it names none. */
function asOfOption(args: CommandArgs): HistoryCut | null {
  const raw = stringOption(args, 'as-of');
  if (raw === undefined) return null;
  const cut = parseHistoryCut(raw);
  if (!cut)
    throw new UsageError(
      `--as-of takes a position token or an ISO-8601 time, not ${raw}`,
      'replay',
    );
  return cut;
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
  const events = historyUpTo(all, asOf);
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
