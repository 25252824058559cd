/**
 * The PostgreSQL adapter of the event store port.
 *
 * Appends: the expected-revision check is the database's. `no_stream` inserts the stream's head
 * row (ON CONFLICT DO NOTHING), an exact revision updates it only where revision and head hash
 * still match; the events are inserted by the same statement only when that head write
 * happened. So an append with `no_stream` or an exact revision is one statement, one round trip,
 * and two racing writers are serialised by the head row's lock: exactly one wins.
 *
 * Group commit (append-batcher.ts, on by default): the appends of concurrent commands whose
 * expected revisions and head hashes are exact are written together by `events_append_batch`,
 * one statement and one commit for the batch, each command checked and refused on its own. The
 * rest (`any`, an exact revision without its head hash) take the single-command path below.
 *
 * `$all`: ordered by (writer's transaction id, position) and read only below
 * pg_snapshot_xmin(pg_current_snapshot()), so an event committed late by a transaction that
 * started early is never skipped by a reader that already moved past its position.
 */
import type { ClientConfig, Pool, PoolClient } from 'pg';
import { assert, limits } from '@kob/kernel';
import {
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type Position,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamCondition,
  type StreamHead,
  type StoreConnection,
  type SubscribeOptions,
  START,
} from '../event-store.port';
import { WrongExpectedRevisionError } from '../errors';
import { AppendNotifyingStore, validateAppendMulti, validateEvents } from '../append-rules';
import { probeConnection } from '../connection-probe';
import { appendOne, checkCondition, resolveAny } from './append-statement';
import { AppendBatcher, GROUP_COMMIT_DEFAULTS, type GroupCommitLimits } from './append-batcher';
import { AppendListener, AppendPublisher } from './append-signal';

interface EventRow {
  position: string;
  tx: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
}

const SELECT_EVENT =
  'SELECT position, transaction_id::text AS tx, event_id, stream_id, revision, type, data, metadata, recorded_at FROM events';

/** `$all` after a position, up to what no transaction still in flight can precede. */
const READ_ALL = `${SELECT_EVENT}
   WHERE (transaction_id, position) > ($1::text::xid8, $2::bigint)
     AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
   ORDER BY transaction_id, position
   LIMIT $3`;

export interface PostgresEventStoreOptions {
  /** Group commit of appends (append-batcher.ts); `false` writes each command on its own. */
  groupCommit?: GroupCommitLimits | false;
  /**
   * Tell other processes after each append (append-signal.ts): on where another process follows
   * this one's appends (a projector worker); they `listenToOtherProcesses`.
   */
  signalOtherProcesses?: boolean;
}

export class PostgresEventStore extends AppendNotifyingStore implements EventStore {
  readonly name = 'postgresql';
  /** The group-commit batcher, when on (its `stats` say how appends were batched). */
  readonly batcher: AppendBatcher | null;
  /** Says "appended" to other processes, when `signalOtherProcesses`. */
  readonly publisher: AppendPublisher | null;
  private listener: AppendListener | null = null;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    super();
    this.publisher = options.signalOtherProcesses
      ? new AppendPublisher(pool, limits.appendSignalSpacingMs)
      : null;
    const groupCommit = options.groupCommit ?? GROUP_COMMIT_DEFAULTS;
    this.batcher =
      groupCommit === false
        ? null
        : new AppendBatcher(
            {
              pool,
              appendAlone: (appends, conditions) => this.appendAlone(appends, conditions),
              appended: () => this.appendedHere(),
              isSqlError: hasSqlState,
            },
            groupCommit,
          );
  }

  /**
   * The streams of the transaction that wrote `position`: the append's own, and with group commit
   * those of the other commands committed with it (a superset, as the port allows).
   */
  async streamsAppendedAt(position: Position): Promise<readonly string[] | null> {
    const res = await this.pool.query<{ stream_id: string }>(
      'SELECT DISTINCT stream_id FROM events WHERE transaction_id = $1::text::xid8',
      [position.tx.toString()],
    );
    return res.rows.length > 0 ? res.rows.map((r) => r.stream_id) : null;
  }

  async appendMulti(appends: StreamAppend[], options: AppendOptions = {}): Promise<AppendResult[]> {
    const conditions = options.conditions ?? [];
    validateAppendMulti(appends, conditions);
    for (const a of appends) validateEvents(a.streamId, a.events);
    if (this.batcher && AppendBatcher.accepts(appends))
      return this.batcher.append(appends, conditions);
    return this.appendAlone(appends, conditions);
  }

  /** One command's appends in a transaction of their own (the path without group commit). */
  private async appendAlone(
    appends: readonly StreamAppend[],
    conditions: readonly StreamCondition[],
  ): Promise<AppendResult[]> {
    // `any` on a stream that does not exist yet races another creator: resolve it again.
    const attempts = appends.some((a) => a.expectedRevision === 'any') ? ANY_RETRIES_MAX : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        const results = await this.appendOnce(appends, conditions);
        this.appendedHere();
        return results;
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError) || attempt >= attempts) throw err;
      }
    }
  }

  private async appendOnce(
    appends: readonly StreamAppend[],
    conditions: readonly StreamCondition[],
  ): Promise<AppendResult[]> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await this.appendWith(client, appends, conditions);
    } catch (err) {
      // A connection-level failure leaves the client unusable: destroy it rather than reuse it.
      if (!(err instanceof WrongExpectedRevisionError) && !hasSqlState(err)) broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private async appendWith(
    client: PoolClient,
    appends: readonly StreamAppend[],
    conditions: readonly StreamCondition[],
  ): Promise<AppendResult[]> {
    const single =
      appends.length === 1 && appends[0]!.expectedRevision !== 'any' && conditions.length === 0;
    if (single) return [await appendOne(client, appends[0]!)];
    // Streams are locked in one global order (by id), so two multi-stream appends never deadlock;
    // a condition's head row is share-locked in the same order, so a writer of that stream waits
    // for this transaction (or this one waits for it, then sees its new revision).
    const order = [
      ...appends.map((a, i) => ({ id: a.streamId, a, i })),
      ...conditions.map((c) => ({ id: c.streamId, c })),
    ].sort((x, y) => (x.id < y.id ? -1 : 1));
    await client.query('BEGIN');
    try {
      const results: AppendResult[] = new Array(appends.length);
      for (const item of order) {
        if ('c' in item) {
          await checkCondition(client, item.c);
          continue;
        }
        const { a, i } = item;
        const resolved = a.expectedRevision === 'any' ? await resolveAny(client, a) : a;
        results[i] = await appendOne(client, resolved);
      }
      await client.query('COMMIT');
      return results;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      if ((err as { code?: string }).code === '40P01') {
        throw new WrongExpectedRevisionError(appends[0]!.streamId, appends[0]!.expectedRevision);
      }
      throw err;
    }
  }

  async streamHead(streamId: string): Promise<StreamHead | null> {
    const res = await this.pool.query<{ revision: string; head_hash: string }>(
      'SELECT revision, head_hash FROM streams WHERE stream_id = $1',
      [streamId],
    );
    const row = res.rows[0];
    return row ? { revision: BigInt(row.revision), headHash: row.head_hash } : null;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const maxCount = Math.min(
      options.maxCount ?? limits.readStreamPageMax,
      limits.readStreamPageMax,
    );
    assert(maxCount > 0, 'maxCount must be positive');
    const out: RecordedEvent[] = [];
    let from = options.fromRevision ?? (backwards ? null : 0n);
    // Pages of readStreamPageMax until the stream (or maxCount, when given) is exhausted.
    const wanted = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    for (let page = 0; page < 1_000_000 && out.length < wanted; page++) {
      const take = Math.min(maxCount, wanted - out.length);
      const res = await this.pool.query<EventRow>(
        backwards
          ? `${SELECT_EVENT} WHERE stream_id = $1 AND ($2::bigint IS NULL OR revision <= $2) ORDER BY revision DESC LIMIT $3`
          : `${SELECT_EVENT} WHERE stream_id = $1 AND revision >= $2 ORDER BY revision ASC LIMIT $3`,
        [streamId, from === null ? null : from.toString(), take],
      );
      for (const row of res.rows) out.push(toRecorded(row));
      if (res.rows.length < take) break;
      const lastRev = out[out.length - 1]!.revision;
      from = backwards ? lastRev - 1n : lastRev + 1n;
      if (backwards && from < 0n) break;
    }
    return out;
  }

  async listStreams(options: { after?: string; maxCount?: number } = {}): Promise<string[]> {
    const maxCount = Math.min(
      options.maxCount ?? limits.readStreamPageMax,
      limits.readStreamPageMax,
    );
    const res = await this.pool.query<{ stream_id: string }>(
      // From the events themselves, not the heads table: a stream whose head row was removed
      // must still be listed (and then flagged by the verifier).
      'SELECT stream_id FROM events WHERE stream_id > $1 GROUP BY stream_id ORDER BY stream_id LIMIT $2',
      [options.after ?? '', maxCount],
    );
    return res.rows.map((r) => r.stream_id);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromPosition ?? START;
    const maxCount = Math.min(options.maxCount ?? limits.readAllBatchMax, limits.readAllBatchMax);
    // Named: every projection round reads here, and PostgreSQL then parses it once per connection.
    const res = await this.pool.query<EventRow>({
      name: 'kobatela-read-all',
      text: READ_ALL,
      values: [from.tx.toString(), from.pos.toString(), maxCount],
    });
    return res.rows.map(toRecorded);
  }

  /** `SELECT 1` through the pool; any failure to get an answer is `unavailable`. */
  connection(timeoutMs: number): Promise<StoreConnection> {
    return probeConnection(
      timeoutMs,
      () => this.pool.query('SELECT 1'),
      () => 'unavailable',
    );
  }

  async headPosition(): Promise<Position | null> {
    const res = await this.pool.query<{ tx: string; position: string }>(
      `SELECT transaction_id::text AS tx, position FROM events
       WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY transaction_id DESC, position DESC LIMIT 1`,
    );
    const row = res.rows[0];
    return row ? { tx: BigInt(row.tx), pos: BigInt(row.position) } : null;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncIterable<RecordedEvent> {
    let from = options.fromPosition ?? START;
    const batchSize = options.batchSize ?? limits.projectionBatchSizeMax;
    const { signal } = options;
    let wake: (() => void) | undefined;
    const unsubscribe = this.onAppended(() => wake?.());
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        const batch = await this.readAll({ fromPosition: from, maxCount: batchSize });
        for (const event of batch) {
          if (signal?.aborted) return;
          yield event;
          from = event.position;
        }
        if (batch.length === batchSize) continue;
        // Live: woken by an in-process append, or poll for other processes' appends.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, limits.projectionPollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Test hook for the contract suite: appends inside a transaction that stays open until
   * `commit` is called, to reproduce a writer that commits late.
   */
  async beginHeldAppend(
    append: StreamAppend,
  ): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
    validateEvents(append.streamId, append.events);
    const client = await this.pool.connect();
    await client.query('BEGIN');
    try {
      await appendOne(client, append);
    } catch (err) {
      await client.query('ROLLBACK');
      client.release();
      throw err;
    }
    const finish = async (sqlText: string) => {
      try {
        await client.query(sqlText);
      } finally {
        client.release();
      }
      this.notifyAppended();
    };
    return { commit: () => finish('COMMIT'), rollback: () => finish('ROLLBACK') };
  }

  /** After this process's append: wakes its own subscribers, and tells the others if asked to. */
  private appendedHere(): void {
    this.notifyAppended();
    this.publisher?.publish();
  }

  /**
   * Wakes this process's subscribers (`onAppended`: the projections' live loop, `subscribeToAll`)
   * when another process says it appended (`signalOtherProcesses`), on a connection of its own
   * made from `connection`; until `close`. Their poll stays, for a signal that is lost.
   */
  async listenToOtherProcesses(
    connection: ClientConfig,
    log?: (msg: string, extra?: Record<string, unknown>) => void,
  ): Promise<void> {
    if (this.listener) return;
    this.listener = new AppendListener(connection, () => this.notifyAppended(), log);
    await this.listener.start();
  }

  async close(): Promise<void> {
    this.publisher?.close();
    await this.listener?.stop();
    this.listener = null;
    this.forgetListeners();
  }
}

const ANY_RETRIES_MAX = 5;

/** Errors PostgreSQL raised with a SQLSTATE (the connection itself is still usable). */
function hasSqlState(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: BigInt(row.revision),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    position: { tx: BigInt(row.tx), pos: BigInt(row.position) },
    recordedAt: row.recorded_at,
  };
}
