/**
 * Per-stream queue: inside one process, commands for the same stream run one after another, so
 * N parallel requests each get their business answer instead of a spurious conflict
 * (API-RULES.md §5). Different streams run in parallel. Re-entrant: work already running for a
 * stream (a handler holding it across a PSP call and its commands) runs nested work for the same
 * stream at once instead of waiting for itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { assert } from '@kob/kernel';

interface Holding {
  key: string;
  /** False once the holding task settled: work it left running must queue like anyone else. */
  live: boolean;
}

export class StreamQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly held = new AsyncLocalStorage<Holding>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const holding = this.held.getStore();
    if (holding?.live && holding.key === key) return task();
    // Holding one stream while waiting for another could deadlock against the opposite order.
    assert(!holding?.live, `stream ${holding?.key} is held while queueing for ${key}`);
    const inside = async () => {
      const token: Holding = { key, live: true };
      try {
        return await this.held.run(token, task);
      } finally {
        token.live = false;
      }
    };
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(inside, inside);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  get size(): number {
    return this.tails.size;
  }
}
