/**
 * Folded stream states for the command runner: read from the store on top of the in-process
 * cache (only the events newer than the cached revision), with the idempotency keys each stream
 * has seen rebuilt from its events' metadata.
 */
import { type Decider, upcastEvent } from '@kob/domain';
import type { EventStore } from '@kob/event-store';
import { isReadPin } from '@kob/kernel';
import { rememberKey } from './idempotency';
import type { CachedStream, StreamStateCache } from './stream-state-cache';

export class StreamStates {
  constructor(
    private readonly store: EventStore,
    readonly cache: StreamStateCache,
  ) {}

  /** The cached state without a read when allowed (`verified: false`), else topped up. */
  async loadFor<S>(
    streamId: string,
    decider: Decider<S, any, any>,
    fresh: boolean,
  ): Promise<{ cached: CachedStream; verified: boolean }> {
    if (!fresh) {
      const hit = this.cache.get(streamId, decider.category);
      if (hit) return { cached: hit, verified: false };
    }
    return { cached: await this.load(streamId, decider), verified: true };
  }

  async load<S>(streamId: string, decider: Decider<S, any, any>): Promise<CachedStream> {
    const hit = this.cache.get(streamId, decider.category);
    const base: CachedStream = hit ?? {
      category: decider.category,
      revision: null,
      headHash: undefined,
      position: null,
      state: decider.initialState(),
      idempotency: new Map(),
    };
    const from = base.revision === null ? 0n : base.revision + 1n;
    const newer = await this.store.readStream(streamId, { fromRevision: from });
    if (newer.length === 0 && hit) return hit;
    let state = base.state as S;
    // Updated in place: only events that really exist are added, inside the stream's queue.
    const idempotency = base.idempotency;
    for (const e of newer) {
      // A read pin (EventStoreDB's record of a decision that read this stream) moves the
      // revision, not the state.
      if (!isReadPin(e)) state = decider.evolve(state, upcastEvent(decider, e));
      rememberKey(idempotency, e);
    }
    const last = newer[newer.length - 1];
    const next: CachedStream = {
      category: decider.category,
      revision: last ? last.revision : base.revision,
      headHash: last ? last.metadata.hash : base.headHash,
      position: last ? last.position : base.position,
      state,
      idempotency,
    };
    this.cache.set(streamId, next);
    return next;
  }
}
