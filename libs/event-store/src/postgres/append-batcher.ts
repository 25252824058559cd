/**
 * Group commit of appends (issue 16). Each command's append used to be a transaction of its own,
 * so the store committed (and PostgreSQL flushed its log) once per command. The batcher queues
 * the commands' appends and writes those ready together through `events_append_batch` (migration
 * 20261206000400): one statement, one transaction, one commit for the batch, each command's
 * expected revisions and conditions checked on its own, a command that conflicts refused alone.
 *
 * - One flush at a time per store: the appends that arrive while a batch commits form the next
 *   batch (up to `commandsMax`), so the batch grows with the load and a lone command waits for
 *   nothing but `windowUs` (0: the appends ready in the same turn of the event loop).
 * - Commands of one batch never share a stream (appended or read): a command touching a stream
 *   already in the batch waits for the next one, so each command's hash chain starts from the
 *   head it read and the batch's locks are taken once per stream.
 * - `commandsMax` is 64: a batch's cost grows with its commands (about 0.15 ms each here), so
 *   the bound keeps one batch's latency near a commit's; past 16 or so concurrent commands the
 *   commit is no longer what a batch waits for.
 * - A batch that fails as a whole with a SQL error (a stream created or an event id stored by
 *   another transaction after the function checked it, a deadlock with another process's writes,
 *   a value the database refuses at bind time) was rolled back entirely: each of its commands is
 *   then written on its own through the single-command path, which gives each its own answer.
 *   So is a batch whose arrays cannot be built (one command's events cannot be chained): the
 *   single-command path then refuses that command alone.
 *   A connection that fails mid-batch is reported to every command of it (its outcome unknown,
 *   exactly as for a single command whose connection fails during COMMIT).
 */
import type { Pool, PoolClient } from 'pg';
import { assert } from '@kob/kernel';
import type { AppendResult, StreamAppend, StreamCondition } from '../event-store.port';
import { DuplicateEventIdError, WrongExpectedRevisionError } from '../errors';
import { GENESIS_HASH } from '../hash-chain';
import { chainColumns } from './append-statement';

export interface GroupCommitLimits {
  /** The most commands one batch writes. */
  commandsMax: number;
  /** How long the first command of a batch waits for others when no batch is being written. */
  windowUs: number;
}

export const GROUP_COMMIT_DEFAULTS: GroupCommitLimits = { commandsMax: 64, windowUs: 0 };

interface Pending {
  appends: readonly StreamAppend[];
  conditions: readonly StreamCondition[];
  streams: readonly string[];
  resolve(results: AppendResult[]): void;
  reject(err: unknown): void;
}

/** What the batcher needs of its store: the pool, the single-command path, the wake-up. */
export interface BatchTarget {
  pool: Pool;
  appendAlone(
    appends: readonly StreamAppend[],
    conditions: readonly StreamCondition[],
  ): Promise<AppendResult[]>;
  appended(): void;
  /** Whether the error left the connection usable (a SQL error) or not. */
  isSqlError(err: unknown): boolean;
}

/**
 * The events' data and metadata go as two JSON documents (arrays, in event order) that the
 * statement turns into the function's `jsonb[]`: pg would send a `jsonb[]` parameter as an array
 * literal, escaping every quote and backslash of every document again (and PostgreSQL would
 * unescape them), which was the largest allocation of an append on the API's side.
 */
const APPEND_BATCH = `SELECT item, pos::text AS pos, failure, tx
  FROM events_append_batch($1::int[], $2::text[], $3::text[], $4::bigint[], $5::text[],
    $6::bigint[], $7::text[], $8::int[], $9::uuid[], $10::bigint[], $11::text[],
    ARRAY(SELECT d FROM jsonb_array_elements($12::jsonb) WITH ORDINALITY AS x(d, n) ORDER BY n),
    ARRAY(SELECT m FROM jsonb_array_elements($13::jsonb) WITH ORDINALITY AS y(m, n) ORDER BY n))`;

export class AppendBatcher {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private scheduled = false;
  /** Batches written and commands in them, for the tests and the metrics. */
  readonly stats = { batches: 0, commands: 0, largest: 0, fallbacks: 0 };

  constructor(
    private readonly target: BatchTarget,
    private readonly limits: GroupCommitLimits = GROUP_COMMIT_DEFAULTS,
  ) {
    assert(limits.commandsMax >= 1 && limits.commandsMax <= 64, 'commandsMax must be 1..64');
    assert(limits.windowUs >= 0, 'windowUs must not be negative');
  }

  /**
   * Whether an append can be batched: its expected revisions are exact (`any` is resolved under a
   * lock, in the single-command path) and its existing streams' head hashes are known.
   */
  static accepts(appends: readonly StreamAppend[]): boolean {
    return appends.every(
      (a) =>
        a.expectedRevision === 'no_stream' ||
        (a.expectedRevision !== 'any' && a.expectedHeadHash !== undefined),
    );
  }

  append(
    appends: readonly StreamAppend[],
    conditions: readonly StreamCondition[],
  ): Promise<AppendResult[]> {
    return new Promise<AppendResult[]>((resolve, reject) => {
      const streams = [...appends.map((a) => a.streamId), ...conditions.map((c) => c.streamId)];
      this.queue.push({ appends, conditions, streams, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      void this.drain();
    };
    if (this.limits.windowUs === 0) setImmediate(run);
    else setTimeout(run, this.limits.windowUs / 1000);
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      for (let round = 0; this.queue.length > 0 && round < DRAIN_ROUNDS_MAX; round++) {
        await this.flush(this.take());
      }
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  /**
   * The next batch: at most commandsMax, no stream twice, and each stream's commands in the order
   * they came (a command left for later holds its streams back from the commands behind it).
   */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const taken = new Set<string>();
    const left: Pending[] = [];
    for (const p of this.queue) {
      const free = batch.length < this.limits.commandsMax && p.streams.every((s) => !taken.has(s));
      for (const s of p.streams) taken.add(s);
      (free ? batch : left).push(p);
    }
    this.queue.splice(0, this.queue.length, ...left);
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    this.stats.batches++;
    this.stats.commands += batch.length;
    this.stats.largest = Math.max(this.stats.largest, batch.length);
    let plan: BatchPlan;
    try {
      plan = batchPlan(batch);
    } catch {
      await this.oneByOne(batch);
      return;
    }
    let client: PoolClient;
    try {
      client = await this.target.pool.connect();
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    let rows: BatchRow[];
    try {
      rows = (
        await client.query<BatchRow>({
          name: 'kobatela-append-batch',
          text: APPEND_BATCH,
          values: plan.params,
        })
      ).rows;
      client.release();
    } catch (err) {
      const sqlError = this.target.isSqlError(err);
      client.release(sqlError ? undefined : (err as Error));
      if (!sqlError) {
        for (const p of batch) p.reject(err);
        return;
      }
      // Rolled back as a whole: each command on its own gets its own answer.
      await this.oneByOne(batch);
      return;
    }
    this.target.appended();
    try {
      settle(batch, plan, rows);
    } catch (err) {
      // The rows broke an invariant of their reading: no caller is left waiting (a settled
      // promise ignores the rejection).
      for (const p of batch) p.reject(err);
    }
  }

  /** Each command of a batch that could not be written as one, on its own. */
  private async oneByOne(batch: readonly Pending[]): Promise<void> {
    this.stats.fallbacks++;
    await Promise.all(
      batch.map((p) => this.target.appendAlone(p.appends, p.conditions).then(p.resolve, p.reject)),
    );
  }
}

/** One flush handles at most this many batches before yielding to the event loop. */
const DRAIN_ROUNDS_MAX = 1_000;

interface BatchRow {
  item: number;
  pos: string | null;
  failure: 'conflict' | 'duplicate' | null;
  tx: string;
}

interface PlannedItem {
  command: number;
  /** The append's index in its command, or -1 for a condition. */
  appendIndex: number;
  condition?: StreamCondition;
  append?: StreamAppend;
  nextRevision?: bigint;
  headHash?: string;
}

interface BatchPlan {
  items: PlannedItem[];
  params: unknown[];
}

/** The function's flat arrays: each command's items in stream-id order, then their events. */
function batchPlan(batch: readonly Pending[]): BatchPlan {
  const items: PlannedItem[] = [];
  const cols = {
    command: [] as number[],
    kind: [] as string[],
    stream: [] as string[],
    expected: [] as (string | null)[],
    hash: [] as (string | null)[],
    last: [] as (string | null)[],
    head: [] as (string | null)[],
    events: [] as (number | null)[],
  };
  const ev = {
    id: [] as string[],
    rev: [] as string[],
    type: [] as string[],
    data: [] as string[],
    meta: [] as string[],
  };
  batch.forEach((p, command) => {
    const ordered = [
      ...p.appends.map((a, i) => ({ id: a.streamId, a, i })),
      ...p.conditions.map((c) => ({ id: c.streamId, c })),
    ].sort((x, y) => (x.id < y.id ? -1 : 1));
    for (const entry of ordered) {
      cols.command.push(command);
      cols.stream.push(entry.id);
      if ('c' in entry) {
        cols.kind.push('c');
        cols.expected.push(entry.c.expectedRevision.toString());
        cols.hash.push(null);
        cols.last.push(null);
        cols.head.push(null);
        cols.events.push(0);
        items.push({ command, appendIndex: -1, condition: entry.c });
        continue;
      }
      const a = entry.a;
      assert(a.expectedRevision !== 'any', 'a batched append has an exact expected revision');
      const fresh = a.expectedRevision === 'no_stream';
      const before = fresh ? GENESIS_HASH : a.expectedHeadHash;
      assert(before !== undefined, 'a batched append knows its head hash');
      const first = fresh ? 0n : (a.expectedRevision as bigint) + 1n;
      const chain = chainColumns(a.streamId, a.events, first, before);
      cols.kind.push(fresh ? 'n' : 'x');
      cols.expected.push(fresh ? null : a.expectedRevision.toString());
      cols.hash.push(fresh ? null : before);
      cols.last.push(chain.lastRevision.toString());
      cols.head.push(chain.headHash);
      cols.events.push(a.events.length);
      const [ids, revs, types, data, meta] = chain.columns;
      ev.id.push(...ids!);
      ev.rev.push(...revs!);
      ev.type.push(...types!);
      ev.data.push(...data!);
      ev.meta.push(...meta!);
      items.push({
        command,
        appendIndex: entry.i,
        append: a,
        nextRevision: chain.lastRevision,
        headHash: chain.headHash,
      });
    }
  });
  return {
    items,
    params: [
      cols.command,
      cols.kind,
      cols.stream,
      cols.expected,
      cols.hash,
      cols.last,
      cols.head,
      cols.events,
      ev.id,
      ev.rev,
      ev.type,
      // Each entry is one event's JSON already: joined, not encoded again.
      `[${ev.data.join(',')}]`,
      `[${ev.meta.join(',')}]`,
    ],
  };
}

/** Each command's answer from the function's rows: its results, or its refusal. */
function settle(batch: readonly Pending[], plan: BatchPlan, rows: readonly BatchRow[]): void {
  const results: (AppendResult | undefined)[][] = batch.map((p) =>
    Array.from({ length: p.appends.length }, () => undefined),
  );
  const refused: (Error | undefined)[] = new Array(batch.length);
  for (const row of rows) {
    const item = plan.items[row.item - 1];
    assert(item !== undefined, 'the batch answered an item it was not given');
    if (row.failure) {
      refused[item.command] = refusal(row.failure, item);
      continue;
    }
    assert(item.append && row.pos !== null, 'a written append has a position');
    results[item.command]![item.appendIndex] = {
      streamId: item.append.streamId,
      nextRevision: item.nextRevision!,
      headHash: item.headHash!,
      position: { tx: BigInt(row.tx), pos: BigInt(row.pos) },
    };
  }
  batch.forEach((p, command) => {
    const error = refused[command];
    if (error) return p.reject(error);
    const answer = results[command]!;
    if (answer.some((r) => r === undefined))
      return p.reject(new Error('the append batch did not answer for every append of a command'));
    p.resolve(answer as AppendResult[]);
  });
}

function refusal(failure: 'conflict' | 'duplicate', item: PlannedItem): Error {
  if (item.condition)
    return new WrongExpectedRevisionError(item.condition.streamId, item.condition.expectedRevision);
  const a = item.append!;
  return failure === 'duplicate'
    ? new DuplicateEventIdError(
        a.streamId,
        a.events.map((e) => e.id),
      )
    : new WrongExpectedRevisionError(a.streamId, a.expectedRevision);
}
