/** What the event store contract's parts share: the harness an adapter gives, events to append. */
import { randomUUID } from 'node:crypto';
import type {
  AppendMetadata,
  EventStore,
  NewEvent,
  Position,
  RecordedEvent,
  StreamAppend,
} from '../event-store.port';
import { systemAppendMetadata } from '../system-metadata';

export interface ContractHarness {
  /** A store on an empty database. */
  store: EventStore;
  /** A second store on separate connections to the same database. */
  otherStore(): EventStore;
  /** Appends inside a transaction left open until commit(). */
  holdOpenAppend(append: StreamAppend): Promise<{ commit(): Promise<void> }>;
  /** Edits the stored data of one event, bypassing the store (as an attacker with DB access). */
  tamper(streamId: string, revision: bigint, data: unknown): Promise<void>;
  close(): Promise<void>;
}

/**
 * What an adapter's store promises beyond one stream. An adapter that lacks an ability by
 * design says so here, and its own spec tests what it does instead.
 */
export interface StoreCapabilities {
  /**
   * `appendMulti` is one transaction across streams (all or nothing), and its conditions on
   * streams only read hold until it commits (a concurrent writer of such a stream is ordered
   * entirely before or after it). EventStoreDB 6.x has no multi-stream transaction.
   */
  atomicMultiStream: boolean;
}

export function testMetadata(extra: Partial<AppendMetadata> = {}): AppendMetadata {
  return systemAppendMetadata('system:test', extra);
}

export function ev(type: string, data: unknown = {}): NewEvent {
  return { id: randomUUID(), type, data, metadata: testMetadata() };
}

/** How long the race test lets a conditional append run before the writer it waits for commits. */
export const CONDITION_WAIT_MS = 300;

export function stream(prefix = 'contract'): string {
  return `${prefix}-${randomUUID()}`;
}

export async function drain(
  store: EventStore,
  from: Position | null,
  until: (e: RecordedEvent[]) => boolean,
) {
  const seen: RecordedEvent[] = [];
  let pos = from;
  for (let i = 0; i < 200 && !until(seen); i++) {
    const batch = await store.readAll({ fromPosition: pos, maxCount: 100 });
    seen.push(...batch);
    if (batch.length) pos = batch[batch.length - 1]!.position;
    else await new Promise((r) => setTimeout(r, 10));
  }
  return { seen, pos };
}
