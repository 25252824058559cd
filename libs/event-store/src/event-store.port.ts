/**
 * The event store port (ARCHITECTURE.md). Two adapters implement it (PostgreSQL now,
 * EventStoreDB later) and both must pass the contract suite in `contract/`.
 *
 * Revisions start at 0 for a stream's first event. A position is the place of an event in `$all`:
 * the writer's transaction id and the global sequence number; clients only ever see it as an
 * opaque token (`encodePosition`).
 */
import type { Actor } from '@kob/kernel';

export type ExpectedRevision = 'no_stream' | 'any' | bigint;

/** What the caller supplies: who, why, when. The store adds the hash chain. */
export interface AppendMetadata {
  actor: Actor;
  commandId: string;
  correlationId: string;
  causationId: string;
  occurredAt: string;
  traceparent?: string;
  idempotencyKey?: string;
  idempotencyScope?: string;
  requestHash?: string;
  [extra: string]: unknown;
}

export interface EventMetadata extends AppendMetadata {
  prevHash: string;
  hash: string;
}

export interface NewEvent<Type extends string = string, Data = unknown> {
  id: string;
  type: Type;
  data: Data;
  metadata: AppendMetadata;
}

export interface Position {
  tx: bigint;
  pos: bigint;
}

export interface RecordedEvent<Type extends string = string, Data = unknown> {
  id: string;
  streamId: string;
  revision: bigint;
  type: Type;
  data: Data;
  metadata: EventMetadata;
  position: Position;
  recordedAt: Date;
}

export interface StreamAppend {
  streamId: string;
  events: NewEvent[];
  expectedRevision: ExpectedRevision;
  /** The head's hash when the caller knows it (from the state it folded): saves a round trip. */
  expectedHeadHash?: string;
  /**
   * Where this append falls among the steps of an `appendMulti` on a store with no multi-stream
   * transaction (EventStoreDB); one transaction (PostgreSQL) ignores it. `precedes`: a fact
   * that stands on its own, written before the command's aggregate (a due mandate's expiry);
   * `follows`: a consequence of the aggregate's events (an alert, a webhook's outcome), written
   * after them and named in their metadata, so the recovery job writes it if the writer died
   * in between. Reservation claims and releases need no step: they are recognised by type.
   */
  step?: 'precedes' | 'follows';
}

/**
 * A stream an append depends on without writing to it: the facts that authorised the decision
 * (an allowlist, a certification, an allowance) were read at `expectedRevision`. The append
 * commits only if the stream is still there, and a concurrent append to that stream is ordered
 * entirely before it (then this append fails with the typed conflict and its command decides
 * again on the new facts) or entirely after it.
 */
export interface StreamCondition {
  streamId: string;
  expectedRevision: bigint;
}

export interface AppendOptions {
  conditions?: readonly StreamCondition[];
}

export interface AppendResult {
  streamId: string;
  /** Revision of the last event appended. */
  nextRevision: bigint;
  headHash: string;
  /** Position of the last event appended. */
  position: Position;
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  direction?: 'forwards' | 'backwards';
  maxCount?: number;
}

export interface ReadAllOptions {
  fromPosition?: Position | null;
  maxCount?: number;
}

export interface SubscribeOptions {
  fromPosition?: Position | null;
  signal?: AbortSignal;
  batchSize?: number;
}

export interface StreamHead {
  revision: bigint;
  headHash: string;
}

/**
 * Whether the store answers now: `connected`, or why not (`unavailable`: down or unreachable;
 * `deadline`: no answer in time; `not-leader`: a cluster node that cannot take writes).
 */
export interface StoreConnection {
  state: 'connected' | 'unavailable' | 'deadline' | 'not-leader';
  /** Round trip of the probe in milliseconds (null when it failed). */
  latencyMs: number | null;
  /** The failure's message, for operators (never a secret: no connection string). */
  detail: string | null;
}

export interface EventStore {
  readonly name: string;
  appendToStream(
    streamId: string,
    events: NewEvent[],
    options: {
      expectedRevision: ExpectedRevision;
      expectedHeadHash?: string;
    },
  ): Promise<AppendResult>;
  /**
   * All or nothing across streams (one transaction in PostgreSQL), conditional on the revisions
   * of `options.conditions` (streams read, not written).
   */
  appendMulti(appends: StreamAppend[], options?: AppendOptions): Promise<AppendResult[]>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  streamHead(streamId: string): Promise<StreamHead | null>;
  /** Events after `fromPosition` in commit-safe order; never skips a late commit. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Catch-up from `fromPosition`, then live, until the signal aborts. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** The position of the newest event readers can see now (null for an empty store). */
  headPosition(): Promise<Position | null>;
  /** Stream ids in lexical order after `after` (auditors verify every stream). */
  listStreams(options?: { after?: string; maxCount?: number }): Promise<string[]>;
  /**
   * The streams written by the append whose last event is at `position` (a command's
   * read-your-writes wait asks which projectors its write concerns), or null when the store
   * cannot tell (on EventStoreDB: an append this process did not make, or made long ago). It may
   * name more streams than the append wrote, never fewer (on PostgreSQL, the streams of every
   * command committed in the same group-commit transaction): a wait then covers more projectors.
   */
  streamsAppendedAt(position: Position): Promise<readonly string[] | null>;
  /** One cheap round trip to the store, bounded by `timeoutMs` (for `/health`). */
  connection(timeoutMs: number): Promise<StoreConnection>;
  /** Wakes in-process subscribers (called by the adapter after each append). */
  onAppended(listener: () => void): () => void;
  close(): Promise<void>;
}

export const START: Position = { tx: 0n, pos: 0n };
const POSITION_PART_MAX = 2n ** 63n - 1n;

export function comparePositions(a: Position, b: Position): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.pos !== b.pos) return a.pos < b.pos ? -1 : 1;
  return 0;
}

/** The latest of `positions` (nulls ignored), or null when there is none. */
export function latestPosition(positions: readonly (Position | null)[]): Position | null {
  return positions.reduce<Position | null>(
    (a, b) => (b === null || (a !== null && comparePositions(a, b) >= 0) ? a : b),
    null,
  );
}

/** Opaque token of both parts of a position (never a bare number). */
export function encodePosition(p: Position): string {
  return `p1.${Buffer.from(`${p.tx}:${p.pos}`).toString('base64url')}`;
}

export function decodePosition(token: string): Position | null {
  const m = /^p1\.([A-Za-z0-9_-]{1,64})$/.exec(token);
  if (!m) return null;
  const parts = /^(\d{1,19}):(\d{1,19})$/.exec(Buffer.from(m[1]!, 'base64url').toString('utf8'));
  if (!parts) return null;
  const p = { tx: BigInt(parts[1]!), pos: BigInt(parts[2]!) };
  // Both parts are stored as signed 64-bit values (xid8 fits below 2^63 in practice).
  return p.tx <= POSITION_PART_MAX && p.pos <= POSITION_PART_MAX ? p : null;
}
