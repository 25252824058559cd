/**
 * The EventStoreDB (KurrentDB) adapter of the event store port, through `@eventstore/db-client`.
 *
 * Appends: the expected revision is EventStoreDB's own check (`no_stream` and exact revisions
 * are sent as they are; `any` reads the head first, for its hash, and is sent as that exact
 * revision, again on a conflict like the PostgreSQL adapter). The hash chain is computed here,
 * before the events leave, from the head's hash (the caller's `expectedHeadHash`, else read).
 *
 * `$all`: EventStoreDB's own order (commit, prepare), which never shows a write before it is
 * committed, so a reader that moved past a position cannot miss a late commit. System events
 * (`$` streams and types) are in `$all` and are dropped here; subscriptions also ask the server
 * to leave them out. Reading `$all` from a position answers that position's event too: it is
 * skipped, so `readAll` answers the events after it, as the port says.
 *
 * Not supported by EventStoreDB and so not by this adapter: an append to several streams in one
 * transaction and conditions on streams only read that hold until the commit (see
 * eventstoredb-multi-stream.ts for what it does instead).
 */
import type { EventStoreDBClient, ReadPosition } from '@eventstore/db-client';
import { assert, limits } from '@kob/kernel';
import {
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamHead,
  type StoreConnection,
  type SubscribeOptions,
  START,
  comparePositions,
  latestPosition,
} from '../event-store.port';
import { AppendNotifyingStore } from '../append-rules';
import { probeConnection } from '../connection-probe';
import { appendInSteps } from './eventstoredb-multi-stream';
import { fromResolved, toEsdbPosition, toPosition } from './eventstoredb-records';
import {
  EventStoreUnavailableError,
  RETRY_BACKOFF_MS,
  connectionFailure,
  pause,
  retryingRead,
} from './eventstoredb-errors';
import { StreamWriter } from './eventstoredb-writer';
import { esdb } from './eventstoredb-client';

export interface EventStoreDbOptions {
  /** Deadline of one append call (the client's default is 10 s). */
  appendDeadlineMs?: number;
}

/** `$all` records read per page, system events included. */
const ALL_PAGE_MAX = 1000;
/** How far back from the end `headPosition` looks for a non-system event. */
const HEAD_SCAN_MAX = 1000;
/** Records read per page of that look back (system events are rare at the end of `$all`). */
const HEAD_PAGE = 16;
/**
 * Consecutive failed resubscriptions before a subscription gives up, and the longest pause
 * between two (doubling from RETRY_BACKOFF_MS): about 20 s in all, a leader election's length.
 */
const RESUBSCRIBE_MAX = 10;
/** Appends remembered for `streamsAppendedAt` (a read-your-writes wait follows its append). */
const RECENT_APPENDS_MAX = 10_000;

const positionKey = (p: Position) => `${p.tx}:${p.pos}`;
const RESUBSCRIBE_BACKOFF_MAX_MS = 5000;

export class EventStoreDbEventStore extends AppendNotifyingStore implements EventStore {
  readonly name = 'eventstoredb';
  private readonly writer: StreamWriter;
  /** The streams of this process's recent appends, by their last position (oldest first). */
  private readonly recentAppends = new Map<string, readonly string[]>();

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbOptions = {},
  ) {
    super();
    this.writer = new StreamWriter(client, this, options.appendDeadlineMs);
  }

  /** A store on its own connection (`esdb://host:2113?tls=false`, `esdb+discover://…`). */
  static connect(connectionString: string, options: EventStoreDbOptions = {}) {
    return new EventStoreDbEventStore(
      esdb().EventStoreDBClient.connectionString(connectionString),
      options,
    );
  }

  async appendMulti(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    try {
      const results = await appendInSteps(this.writer, appends, options.conditions ?? []);
      this.rememberAppend(results);
      return results;
    } finally {
      this.notifyAppended();
    }
  }

  /**
   * The streams of an append this process made, by its last position (its steps have positions
   * of their own, so `$all` alone cannot tell which belong together); null for any other.
   */
  async streamsAppendedAt(position: Position): Promise<readonly string[] | null> {
    return this.recentAppends.get(positionKey(position)) ?? null;
  }

  private rememberAppend(results: readonly AppendResult[]): void {
    const last = latestPosition(results.map((r) => r.position))!;
    this.recentAppends.set(
      positionKey(last),
      results.map((r) => r.streamId),
    );
    if (this.recentAppends.size > RECENT_APPENDS_MAX) {
      this.recentAppends.delete(this.recentAppends.keys().next().value!);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    if (options.maxCount !== undefined) assert(options.maxCount > 0, 'maxCount must be positive');
    return retryingRead('read stream', async () => {
      const out: RecordedEvent[] = [];
      try {
        const read = this.client.readStream(streamId, {
          direction: backwards ? esdb().BACKWARDS : esdb().FORWARDS,
          fromRevision: options.fromRevision ?? (backwards ? esdb().END : esdb().START),
          ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
        });
        for await (const resolved of read) {
          const event = fromResolved(resolved);
          if (event) out.push(event);
        }
      } catch (err) {
        if (err instanceof esdb().StreamNotFoundError) return [];
        throw err;
      }
      return out;
    });
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    const [head] = await this.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    return head ? { revision: head.revision, headHash: head.metadata.hash } : null;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const wanted = Math.min(options.maxCount ?? limits.readAllBatchMax, limits.readAllBatchMax);
    assert(wanted > 0, 'maxCount must be positive');
    const out: RecordedEvent[] = [];
    let cursor = options.fromPosition ?? START;
    for (let page = 0; page < 1_000_000 && out.length < wanted; page++) {
      const records = await this.readAllPage(cursor, ALL_PAGE_MAX);
      let advanced = false;
      for (const { position, event } of records) {
        // The page starts at the cursor's own event (EventStoreDB reads from a position inclusively).
        if (comparePositions(position, cursor) <= 0) continue;
        cursor = position;
        advanced = true;
        if (event) out.push(event);
        if (out.length === wanted) break;
      }
      if (records.length < ALL_PAGE_MAX || !advanced) break;
    }
    return out;
  }

  /** One page of `$all` from `from` (inclusive), system events as null. */
  private readAllPage(
    from: Position,
    maxCount: number,
  ): Promise<{ position: Position; event: RecordedEvent | null }[]> {
    return retryingRead('read $all', async () => {
      const fromPosition =
        comparePositions(from, START) === 0 ? esdb().START : toEsdbPosition(from);
      const page: { position: Position; event: RecordedEvent | null }[] = [];
      for await (const resolved of this.client.readAll({ fromPosition, maxCount })) {
        assert(resolved.event?.position !== undefined, '$all event without its position');
        page.push({ position: toPosition(resolved.event.position), event: fromResolved(resolved) });
      }
      return page;
    });
  }

  /**
   * One read of `$all`'s last record (no retry: the probe reports the failure as it is), with
   * the client's own deadline as well as the probe's.
   */
  connection(timeoutMs: number): Promise<StoreConnection> {
    return probeConnection(
      timeoutMs,
      async () => {
        const read = this.client.readAll({
          direction: esdb().BACKWARDS,
          fromPosition: esdb().END,
          maxCount: 1,
          deadline: timeoutMs,
        });
        try {
          // Read to the end (one record at most): a read left unfinished keeps its call open in
          // the client, which then never finishes disposing.
          for await (const _record of read);
        } finally {
          // The call must end here even when no answer came (the probe has given up on it).
          await read.cancel();
        }
      },
      (err) => connectionFailure(err) ?? 'unavailable',
    );
  }

  /**
   * The newest non-system event's position, read backwards a page at a time. Each page is read
   * to its end: a read left unfinished keeps its call open in the client (it never finishes
   * disposing, and the call's memory stays).
   */
  async headPosition(): Promise<Position | null> {
    return retryingRead('read $all head', async () => {
      let from: ReadPosition = esdb().END;
      for (let scanned = 0; scanned < HEAD_SCAN_MAX; scanned += HEAD_PAGE) {
        const page = [];
        const read = this.client.readAll({
          direction: esdb().BACKWARDS,
          fromPosition: from,
          maxCount: HEAD_PAGE,
        });
        for await (const resolved of read) page.push(resolved);
        const found = page.map((r) => fromResolved(r)).find((e) => e !== null);
        if (found) return found.position;
        const last = page.at(-1)?.event?.position;
        if (page.length < HEAD_PAGE || !last) return null;
        // The next page goes on back from there (if it starts with that same record again, it
        // is a system one: no matter).
        from = last;
      }
      return null;
    });
  }

  /** Every user stream, from a scan of `$all`: EventStoreDB keeps no list of streams itself. */
  async listStreams(options: { after?: string; maxCount?: number } = {}): Promise<string[]> {
    const maxCount = Math.min(
      options.maxCount ?? limits.readStreamPageMax,
      limits.readStreamPageMax,
    );
    const after = options.after ?? '';
    const ids = new Set<string>();
    let from: Position = START;
    for (let page = 0; page < 1_000_000; page++) {
      const events = await this.readAll({ fromPosition: from, maxCount: limits.readAllBatchMax });
      for (const e of events) if (e.streamId > after) ids.add(e.streamId);
      if (events.length < limits.readAllBatchMax) break;
      from = events[events.length - 1]!.position;
    }
    return [...ids].sort().slice(0, maxCount);
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    let from = options.fromPosition ?? START;
    const { signal } = options;
    for (let failures = 1; !signal?.aborted; failures++) {
      const subscription = this.client.subscribeToAll({
        fromPosition: comparePositions(from, START) === 0 ? esdb().START : toEsdbPosition(from),
        filter: esdb().excludeSystemEvents(),
      });
      const stop = () => void subscription.unsubscribe().then(() => subscription.destroy());
      signal?.addEventListener('abort', stop);
      let failure: unknown = new Error('the server ended the subscription');
      try {
        for await (const resolved of subscription) {
          if (signal?.aborted) return;
          const event = fromResolved(resolved);
          if (!event) continue;
          failures = 0;
          yield event;
          from = event.position;
        }
      } catch (err) {
        if (signal?.aborted) return;
        if (!connectionFailure(err)) throw err;
        failure = err;
      } finally {
        signal?.removeEventListener('abort', stop);
        await subscription.unsubscribe();
      }
      // Dropped: catch up again from the last event delivered (reads are safe to repeat).
      if (failures >= RESUBSCRIBE_MAX) {
        const kind = connectionFailure(failure) ?? 'unavailable';
        throw new EventStoreUnavailableError(kind, 'subscribe $all', 'not-an-append', {
          cause: failure,
        });
      }
      await pause(Math.min(RETRY_BACKOFF_MS * 2 ** failures, RESUBSCRIBE_BACKOFF_MAX_MS));
    }
  }

  async close(): Promise<void> {
    this.forgetListeners();
    await this.client.dispose();
  }
}
