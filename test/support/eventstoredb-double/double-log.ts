/**
 * The transaction file of the EventStoreDB test double: an in-memory log with EventStoreDB's
 * documented semantics, so the adapter is tested through the real client against rules it will
 * meet on a real server.
 *
 * - Positions are byte offsets in one log. A write is a run of prepare records (one per event,
 *   each with its own prepare position) closed by a commit record; every event of the write
 *   carries the commit record's position as its commit position. `$all` is ordered by
 *   (commit, prepare): a write whose prepares were logged early but committed late (an explicit
 *   transaction of the TCP API, `holdWrite` here) appears in `$all` where it committed.
 * - Stream revisions start at 0; expected revision `no_stream`, `any`, `stream_exists` or exact.
 * - Idempotent writes: the same event ids appended again at the same expected revision succeed
 *   without writing twice (EventStoreDB's idempotency check), answering the first write's result.
 * - System events (`$` streams and `$` event types) live in `$all` beside user events: the log
 *   starts with some, and `systemEventEvery` adds one after every n user writes.
 */
import { randomUUID } from 'node:crypto';
import { assert } from '@kob/kernel';

export interface DoubleRecord {
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Buffer;
  customMetadata: Buffer;
  prepare: bigint;
  commit: bigint;
  createdTicks: bigint;
}

export interface ProposedEvent {
  id: string;
  type: string;
  contentType: string;
  data: Buffer;
  customMetadata: Buffer;
}

export type DoubleExpected = 'any' | 'no_stream' | 'stream_exists' | bigint;

export type WriteOutcome =
  | { ok: true; currentRevision: bigint; commit: bigint; prepare: bigint }
  | { ok: false; currentRevision: bigint | null };

/** Log bytes a record takes besides its payload (EventStoreDB's record header, roughly). */
const RECORD_HEADER_BYTES = 90n;
const COMMIT_RECORD_BYTES = 40n;
/** .NET ticks (100 ns) per millisecond: EventStoreDB's `created` is in ticks since the epoch. */
const TICKS_PER_MS = 10_000n;

export class DoubleLog {
  /** Committed records in `$all` order. */
  readonly all: DoubleRecord[] = [];
  private readonly streams = new Map<string, DoubleRecord[]>();
  private readonly listeners = new Set<(r: DoubleRecord) => void>();
  private offset = 0n;
  private userWrites = 0;
  /** Adds a `$statsCollected`-like system event after every n user writes (0: never). */
  systemEventEvery = 3;

  constructor() {
    // A fresh node's first records: the epoch, the admin user, a stream's metadata.
    this.writeSystem('$users', '$User', { loginName: 'admin' });
    this.writeSystem('$$$stats', '$metadata', { $maxAge: 86400 });
    this.writeSystem('$scavenges', '$scavengeIndexInitialized', {});
  }

  /** Called with each committed record, in `$all` order (live subscriptions). */
  onCommitted(listener: (r: DoubleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stream(streamId: string): readonly DoubleRecord[] {
    return this.streams.get(streamId) ?? [];
  }

  /** Appends a write at once: its prepares, then its commit. */
  write(streamId: string, expected: DoubleExpected, events: ProposedEvent[]): WriteOutcome {
    const held = this.beginWrite(streamId, expected, events);
    return 'pending' in held ? held.commit() : held;
  }

  /**
   * Logs the prepares of a write now and its commit only when `commit` is called: a writer that
   * commits late. The expected revision is checked when the prepares are written and again at
   * the commit (as the server's commit check does).
   */
  beginWrite(
    streamId: string,
    expected: DoubleExpected,
    events: ProposedEvent[],
  ): WriteOutcome | { pending: true; commit(): WriteOutcome } {
    assert(events.length > 0, 'a write needs events');
    const replay = this.idempotentReplay(streamId, expected, events);
    if (replay) return replay;
    const current = this.currentRevision(streamId);
    if (!expectationHolds(expected, current)) return { ok: false, currentRevision: current };
    const prepares = events.map((e) => ({ e, prepare: this.advance(e) }));
    return {
      pending: true,
      commit: () => {
        const now = this.currentRevision(streamId);
        if (now !== current) return { ok: false, currentRevision: now };
        return this.commitWrite(streamId, prepares);
      },
    };
  }

  /** Writes a system event (a `$` stream, a `$` type), as the server does on its own. */
  writeSystem(streamId: string, type: string, data: unknown): void {
    assert(streamId.startsWith('$') && type.startsWith('$'), 'system events are $-named');
    const e = {
      id: randomUUID(),
      type,
      contentType: 'application/json',
      data: Buffer.from(JSON.stringify(data)),
      customMetadata: Buffer.alloc(0),
    };
    this.commitWrite(streamId, [{ e, prepare: this.advance(e) }]);
  }

  /** Rewrites a stored event's data, bypassing every check (an attacker with file access). */
  tamper(streamId: string, revision: bigint, data: unknown): void {
    const record = this.stream(streamId)[Number(revision)];
    assert(record !== undefined, `no event ${streamId}@${revision} to tamper with`);
    record.data = Buffer.from(JSON.stringify(data));
  }

  private commitWrite(
    streamId: string,
    prepares: { e: ProposedEvent; prepare: bigint }[],
  ): WriteOutcome {
    const commit = this.offset;
    this.offset += COMMIT_RECORD_BYTES;
    const records = this.streams.get(streamId) ?? [];
    this.streams.set(streamId, records);
    const createdTicks = BigInt(Date.now()) * TICKS_PER_MS;
    for (const { e, prepare } of prepares) {
      const record = { ...e, streamId, revision: BigInt(records.length), prepare, commit };
      records.push({ ...record, createdTicks });
    }
    const written = records.slice(-prepares.length);
    // A commit is always the newest record of the log: `$all` grows at its end only.
    assert(this.all.length === 0 || this.all[this.all.length - 1]!.commit < commit, 'commit order');
    this.all.push(...written);
    for (const r of written) for (const l of this.listeners) l(r);
    const last = written[written.length - 1]!;
    if (!streamId.startsWith('$')) this.afterUserWrite();
    return { ok: true, currentRevision: last.revision, commit, prepare: last.prepare };
  }

  private afterUserWrite(): void {
    this.userWrites += 1;
    if (this.systemEventEvery > 0 && this.userWrites % this.systemEventEvery === 0) {
      this.writeSystem('$stats-127.0.0.1:2113', '$statsCollected', { writes: this.userWrites });
    }
  }

  /** The same ids at the same expected revision: already written, answer as the first time. */
  private idempotentReplay(
    streamId: string,
    expected: DoubleExpected,
    events: ProposedEvent[],
  ): WriteOutcome | null {
    const records = this.stream(streamId);
    const from =
      expected === 'no_stream' ? 0 : typeof expected === 'bigint' ? Number(expected) + 1 : -1;
    if (from < 0 || records.length < from + events.length) return null;
    const stored = records.slice(from, from + events.length);
    if (!stored.every((r, i) => r.id === events[i]!.id)) return null;
    const last = stored[stored.length - 1]!;
    return { ok: true, currentRevision: last.revision, commit: last.commit, prepare: last.prepare };
  }

  private currentRevision(streamId: string): bigint | null {
    const records = this.stream(streamId);
    return records.length === 0 ? null : BigInt(records.length - 1);
  }

  private advance(e: ProposedEvent): bigint {
    const at = this.offset;
    const size = e.data.length + e.customMetadata.length + e.type.length;
    this.offset += RECORD_HEADER_BYTES + BigInt(size);
    return at;
  }
}

function expectationHolds(expected: DoubleExpected, current: bigint | null): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === null;
  if (expected === 'stream_exists') return current !== null;
  return current === expected;
}

export function byPosition(a: DoubleRecord, b: DoubleRecord): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
