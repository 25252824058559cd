/**
 * The hash chain checks of `verify`: one stream (every event re-hashed, the head row agreeing
 * with the last event), or every stream listed by the store, page by page, handing each intact
 * stream's events to a visitor (the read-model sample folds some of them) before letting go.
 */
import { type RecordedEvent, verifyChain } from '@kob/event-store';
import { limits } from '@kob/kernel';
import type { Platform } from '@kob/platform';
import type { Progress } from '../progress';

/** A check that failed: what broke and where (the first one is the command's verdict). */
export interface Break {
  /** `missing`: a stream with no events at all (only `verify --stream` can name one). */
  check: 'chain' | 'missing' | 'ledger' | 'read_model';
  /** The stream, account or table where it broke. */
  subject: string;
  revision: string | null;
  reason: string;
}

/** `BROKEN stream=… revision=…: reason` and the like, one line per break. */
export function breakLine(b: Break): string {
  if (b.check === 'missing') return `MISSING stream=${b.subject}: ${b.reason}`;
  const where = b.check === 'chain' ? 'stream' : b.check;
  const revision = b.revision !== null ? ` revision=${b.revision}` : '';
  return `BROKEN ${where}=${b.subject}${revision}: ${b.reason}`;
}

export interface StreamVerdict {
  events: readonly RecordedEvent[];
  broken: Break | null;
}

/** One stream's chain, re-computed from its events, and its head row. */
export async function verifyStream(platform: Platform, streamId: string): Promise<StreamVerdict> {
  const events = await platform.store.readStream(streamId);
  const broken = (revision: string | null, reason: string): StreamVerdict => ({
    events,
    broken: { check: revision === null ? 'missing' : 'chain', subject: streamId, revision, reason },
  });
  if (events.length === 0) return broken(null, 'no events');
  const verdict = verifyChain(events);
  if (!verdict.valid) return broken(String(verdict.firstBadRevision), verdict.reason);
  const head = await platform.store.streamHead(streamId);
  if (
    !head ||
    head.revision !== events[events.length - 1]!.revision ||
    head.headHash !== verdict.headHash
  )
    return broken(
      head?.revision.toString() ?? 'none',
      'the stream head does not match its last event',
    );
  return { events, broken: null };
}

export interface ChainsSummary {
  streams: number;
  events: number;
  breaks: Break[];
}

/** Every stream the store lists, in lexical order; `visit` sees each intact stream's events. */
export async function verifyAllChains(
  platform: Platform,
  progress: Progress,
  visit: (streamId: string, events: readonly RecordedEvent[]) => void,
  onBreak: (b: Break) => void,
): Promise<ChainsSummary> {
  const summary: ChainsSummary = { streams: 0, events: 0, breaks: [] };
  let after: string | undefined;
  for (let page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
    const ids = await platform.store.listStreams({
      ...(after ? { after } : {}),
      maxCount: limits.readStreamPageMax,
    });
    if (ids.length === 0) break;
    for (const id of ids) {
      const verdict = await verifyStream(platform, id);
      summary.streams += 1;
      summary.events += verdict.events.length;
      if (verdict.broken) {
        summary.breaks.push(verdict.broken);
        onBreak(verdict.broken);
      } else visit(id, verdict.events);
      progress.update(summary.streams);
    }
    after = ids[ids.length - 1];
  }
  return summary;
}

/** How many streams there are, for the progress total (null when the store cannot say cheaply). */
export async function streamCountEstimate(platform: Platform): Promise<number | null> {
  try {
    const r = await platform.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM streams');
    return r.rows[0]?.n ?? null;
  } catch {
    return null;
  }
}
