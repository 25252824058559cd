/**
 * `export --from POSITION [--to POSITION] --format jsonl|csv`: the audit trail between two
 * positions of `$all` (after `--from`, up to and including `--to`, else up to the newest event
 * when the export starts), with actors, masked exactly as `GET /audit/events` masks it (the
 * audit_log projector's own fields, libs/platform/src/audit/audit-entry.ts). It reads `$all` a page
 * at a time and writes each page before reading the next, waiting whenever stdout is full, so
 * memory stays flat however long the trail; progress and the summary go to stderr.
 */
import {
  type Position,
  START,
  comparePositions,
  decodePosition,
  encodePosition,
} from '@kob/event-store';
import { limits } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import { auditEntryOfEvent } from '@kob/platform';
import { type AuditFormat, auditFormats, formatEntry, formatHeader } from '../audit-formats';
import { type CliCommand, type CommandArgs, UsageError, stringOption } from '../cli-command';
import { note, write } from '../output';
import { startProgress } from '../progress';

/** Events read from `$all` per page (each page is written before the next is read). */
export const EXPORT_PAGE_EVENTS_MAX = limits.readAllBatchMax;

/** `--from`/`--to`: a position token (`start` for the beginning of `$all` as `--from`). */
function positionOption(args: CommandArgs, name: 'from' | 'to'): Position | undefined {
  const token = stringOption(args, name);
  if (token === undefined) return undefined;
  if (token === 'start' && name === 'from') return START;
  const position = decodePosition(token);
  if (!position) throw new UsageError(`--${name} is not a position token: ${token}`, 'export');
  return position;
}

function exportArgs(args: CommandArgs): { from: Position; to?: Position; format: AuditFormat } {
  const from = positionOption(args, 'from');
  if (!from) throw new UsageError('export needs --from <position> (or --from start)', 'export');
  const format = stringOption(args, 'format') as AuditFormat | undefined;
  if (!format || !auditFormats.includes(format))
    throw new UsageError('export needs --format jsonl or --format csv', 'export');
  const to = positionOption(args, 'to');
  return { from, format, ...(to ? { to } : {}) };
}

async function exportTrail(platform: Platform, args: CommandArgs): Promise<number> {
  const { from, to: asked, format } = exportArgs(args);
  const to = asked ?? (await platform.store.headPosition()) ?? START;
  // PostgreSQL's positions count events (a global sequence); EventStoreDB's are byte offsets in
  // its log, which say nothing of how many events lie between: no total, the rate only.
  const estimate =
    platform.store.name === 'postgresql' ? Math.max(Number(to.pos - from.pos), 0) : null;
  const progress = startProgress('export', 'events', estimate, args);
  await write(formatHeader(format));
  let after = from;
  let exported = 0;
  for (let page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
    const events = await platform.store.readAll({
      fromPosition: after,
      maxCount: EXPORT_PAGE_EVENTS_MAX,
    });
    const within = events.filter((e) => comparePositions(e.position, to) <= 0);
    if (within.length > 0)
      await write(within.map((e) => formatEntry(format, auditEntryOfEvent(e))).join(''));
    exported += within.length;
    progress.update(exported);
    if (within.length < events.length || events.length < EXPORT_PAGE_EVENTS_MAX) break;
    after = events[events.length - 1]!.position;
  }
  progress.stop();
  const range = { from: encodePosition(from), to: encodePosition(to) };
  note(
    args.json
      ? JSON.stringify({ exported, format, ...range })
      : `exported ${exported} events (${format}) after ${range.from} up to ${range.to}`,
  );
  return 0;
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage: [
    'export --from <position>|start [--to <position>] --format jsonl|csv',
    '                            the masked audit trail (as GET /audit/events) on stdout',
  ],
  details:
    'Positions are the opaque tokens the API hands out (X-Event-Position, `position` fields).\n' +
    'Exports the events after --from, up to and including --to (default: the newest event when\n' +
    'the export starts), in $all order, with actors, data masked as GET /audit/events masks it.\n' +
    'jsonl: one entry per line; csv: a header, then actor and data as JSON in their cells.\n' +
    'Streams in constant memory; progress and a summary on stderr (JSON with --json).',
  options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' } },
  positionalsMax: 0,
  run: exportTrail,
};
