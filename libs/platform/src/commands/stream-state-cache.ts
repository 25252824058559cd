/**
 * In-process cache of folded stream states keyed by stream, with the revision and head hash they
 * were folded to. Safe because every append names that revision: a stale entry only costs a
 * conflict and a re-read. Bounded: when it is full, the entry least recently inserted that was
 * not used since it was last passed over is dropped ("second chance", a close approximation of
 * least recently used).
 *
 * Why not an exact LRU: moving an entry to the back of the Map on every read (a delete and a set)
 * leaves a hole per read, and the Map rebuilds its whole table once the holes fill it: for a
 * cache of a thousand streams, a table of about 50 KB every few hundred deposits, each one
 * garbage in the old generation (the Map is long-lived) until V8's next full collection. Here a
 * read only sets a flag; entries move only when the cache is full, and only those read since.
 */
import type { Position } from '@kob/event-store';

/** A key a stream has seen, as compact as it can be kept (`scopedKey` in idempotency.ts). */
export interface SeenKey {
  /** `keptRequestHash` of the request's hash. */
  requestHash: string;
  /** The revisions of the events the key's command appended (`keptRevision`). */
  fromRevision: number;
  toRevision: number;
}

export interface CachedStream {
  category: string;
  revision: bigint | null;
  headHash: string | undefined;
  /** `$all` position of the last event folded (null before the first). */
  position: Position | null;
  state: unknown;
  idempotency: Map<string, SeenKey>;
}

interface Slot {
  value: CachedStream;
  /** Read or replaced since the eviction last passed over it. */
  used: boolean;
}

export class StreamStateCache {
  private readonly entries = new Map<string, Slot>();

  constructor(private readonly entriesMax: number) {}

  get(streamId: string, category: string): CachedStream | undefined {
    const slot = this.entries.get(streamId);
    if (!slot || slot.value.category !== category) return undefined;
    slot.used = true;
    return slot.value;
  }

  set(streamId: string, value: CachedStream): void {
    const slot = this.entries.get(streamId);
    if (slot) {
      slot.value = value;
      slot.used = true;
      return;
    }
    // Inserted as used: the entry just cached is never the one its own insertion drops.
    this.entries.set(streamId, { value, used: true });
    while (this.entries.size > this.entriesMax) this.evictOne();
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops the oldest entry not used since it was last passed over; used ones go to the back. */
  private evictOne(): void {
    for (;;) {
      const oldest = this.entries.entries().next().value as [string, Slot];
      this.entries.delete(oldest[0]);
      if (!oldest[1].used) return;
      oldest[1].used = false;
      this.entries.set(oldest[0], oldest[1]);
    }
  }
}
