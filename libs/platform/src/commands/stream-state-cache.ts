/**
 * In-process cache of folded stream states keyed by stream, with the revision and head hash they
 * were folded to. Safe because every append names that revision: a stale entry only costs a
 * conflict and a re-read. Bounded (least recently used entries are dropped).
 */
import type { Position } from '@kob/event-store';

export interface SeenKey {
  requestHash: string;
  fromRevision: bigint;
  toRevision: bigint;
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

export class StreamStateCache {
  private readonly entries = new Map<string, CachedStream>();

  constructor(private readonly entriesMax: number) {}

  get(streamId: string, category: string): CachedStream | undefined {
    const hit = this.entries.get(streamId);
    if (!hit || hit.category !== category) return undefined;
    this.entries.delete(streamId);
    this.entries.set(streamId, hit);
    return hit;
  }

  set(streamId: string, value: CachedStream): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, value);
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }
}
