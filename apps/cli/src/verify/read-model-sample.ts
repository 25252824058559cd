/**
 * Read models against a fresh fold: for a sample of each compared category's streams (every
 * aggregate whose rows a projector keeps, and alerts: read-model-rows*.ts), met during the chain
 * pass and kept by reservoir sampling so any stream may be picked, the stream is folded (the
 * aggregate's decider through `foldEvents`, the service's fold) and its read-model rows must
 * agree with the state; its audit_log rows must be one per event. A stream is compared only
 * where its projectors had passed its last event before the rows were read and the stream did
 * not move meanwhile, so a running service's lag is never taken for a break (such streams, and
 * streams whose record was never created, are counted as skipped). The read models no stream
 * sample can check are named in `readModelsNotSampled`, and the answer says so.
 */
import { type Position, type RecordedEvent, comparePositions } from '@kob/event-store';
import type { Platform } from '@kob/platform';
import type { Break } from './chains';
import {
  type RowCheck,
  escrowAndIdentityChecks,
  firstDifference,
  rowCount,
  same,
} from './read-model-rows';
import { recordChecks } from './read-model-rows-records';
import { spendAndTransferChecks } from './read-model-rows-spend';

/** Every category compared, longest first so a category holding a dash wins over a shorter one. */
const rowChecks: readonly RowCheck[] = [
  ...escrowAndIdentityChecks,
  ...recordChecks,
  ...spendAndTransferChecks,
].sort((a, b) => b.category.length - a.category.length);

/**
 * The read models built from many streams at once: no sample of streams can say what their rows
 * must be, so `verify --all` names them as not sampled rather than pass over them in silence.
 */
export const readModelsNotSampled: readonly { read_model: string; reason: string }[] = [
  {
    read_model: 'event_stats',
    reason: 'counts by event type over every stream',
  },
  {
    read_model: 'ledger',
    reason:
      'accounts and entries post many streams together (only a sampled escrow held account is ' +
      'compared); the trial balance checks them all',
  },
];

/** The check of a stream, or undefined when no compared category holds it. */
function checkOf(streamId: string): RowCheck | undefined {
  return rowChecks.find(
    (c) =>
      streamId.startsWith(`${c.category}-`) &&
      !(c.foreign ?? []).some((prefix) => streamId.startsWith(prefix)),
  );
}

/** Streams of each aggregate compared by default (`verify --all --sample N`). */
export const READ_MODEL_SAMPLE_DEFAULT = 100;

interface Sampled {
  check: RowCheck;
  streamId: string;
  events: readonly RecordedEvent[];
}

/** Keeps a uniform sample of at most `size` streams of each compared aggregate. */
export class StreamSample {
  private readonly seen = new Map<RowCheck, number>();
  private readonly kept = new Map<RowCheck, Sampled[]>();

  constructor(private readonly size: number) {}

  offer(streamId: string, events: readonly RecordedEvent[]): void {
    const check = checkOf(streamId);
    if (!check || this.size === 0) return;
    const seen = (this.seen.get(check) ?? 0) + 1;
    this.seen.set(check, seen);
    const kept = this.kept.get(check) ?? [];
    this.kept.set(check, kept);
    const slot = kept.length < this.size ? kept.length : Math.floor(Math.random() * seen);
    if (slot < this.size) kept[slot] = { check, streamId, events };
  }

  get streams(): Sampled[] {
    return [...this.kept.values()].flat();
  }
}

export interface SampleSummary {
  compared: number;
  skipped: number;
  breaks: Break[];
  /** The streams compared, by category (`escrow`, `user`, …). */
  compared_by_category: Record<string, number>;
  /** The read models no stream sample can check, and why. */
  not_sampled: typeof readModelsNotSampled;
}

/** The oldest checkpoint of `projectors` (null if one of them has none yet). */
async function slowestCheckpoint(
  platform: Platform,
  projectors: readonly string[],
): Promise<Position | null> {
  const rows = (await platform.projections.status()).filter((r) => projectors.includes(r.name));
  if (rows.length < projectors.length) return null;
  return rows.map((r) => r.checkpoint).sort(comparePositions)[0] ?? null;
}

/** The first difference of one sampled stream; 'skipped' when it cannot be compared now. */
async function compareOne(platform: Platform, s: Sampled): Promise<string | null | 'skipped'> {
  const last = s.events[s.events.length - 1]!;
  const checkpoint = await slowestCheckpoint(platform, [...s.check.projectors, 'audit_log']);
  const state = s.check.fold(s.events);
  // Behind the stream's last event, or no record created there: nothing to compare yet.
  if (state === null || !checkpoint || comparePositions(checkpoint, last.position) < 0)
    return 'skipped';
  const audited = await rowCount(platform, 'audit_log', 'stream_id', s.streamId);
  const difference =
    (await s.check.difference(platform, state, s.streamId)) ??
    firstDifference([['audit_log rows', audited, s.events.length, same]]);
  // The stream moved while the rows were read: they may hold newer events than the fold.
  const head = await platform.store.streamHead(s.streamId);
  return head?.revision === last.revision ? difference : 'skipped';
}

/** Compares each sampled stream's rows with its fold. */
export async function compareSample(
  platform: Platform,
  sample: StreamSample,
): Promise<SampleSummary> {
  const summary: SampleSummary = {
    compared: 0,
    skipped: 0,
    breaks: [],
    compared_by_category: {},
    not_sampled: readModelsNotSampled,
  };
  for (const s of sample.streams) {
    const verdict = await compareOne(platform, s);
    if (verdict === 'skipped') {
      summary.skipped += 1;
      continue;
    }
    summary.compared += 1;
    const byCategory = summary.compared_by_category;
    byCategory[s.check.category] = (byCategory[s.check.category] ?? 0) + 1;
    if (verdict === null) continue;
    const revision = s.events[s.events.length - 1]!.revision.toString();
    summary.breaks.push({ check: 'read_model', subject: s.streamId, revision, reason: verdict });
  }
  return summary;
}
