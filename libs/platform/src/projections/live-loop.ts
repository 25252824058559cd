/**
 * The projection runner's live loop: rounds back to back while they apply something, otherwise an
 * idle wait that an in-process append, a waiting request (`wake`) or a stop cuts short. A stop
 * ends it between batches, never inside one: the batch in flight commits with its checkpoint and
 * no other batch starts, so a stopping worker hands over a checkpoint that matches its writes.
 */
import { limits } from '@kob/kernel';
import type { EventStore } from '@kob/event-store';
import { idle } from './waiting';

/** One round of batches, asking `goOn` before each batch; resolves to the events it applied. */
export type LiveRound = (goOn: () => boolean) => Promise<number>;

/** Runs `LiveRound`s until stopped; see the file's comment. */
export class LiveLoop {
  private active = false;
  private wakeIdle: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  /** Whether the loop runs: from `start` until `stop` is called. */
  get running(): boolean {
    return this.active;
  }

  /** Cuts the idle wait short, so the next round starts now (no effect during a round). */
  readonly wake = (): void => this.wakeIdle?.();

  /** Starts the loop, woken by the store's in-process appends; no effect when it runs already. */
  start(store: Pick<EventStore, 'onAppended'>, round: LiveRound): void {
    if (this.active) return;
    this.active = true;
    this.unsubscribe = store.onAppended(this.wake);
    this.loop = (async () => {
      while (this.active) {
        const applied = await round(() => this.active).catch(() => 0);
        if (applied > 0 || !this.active) continue;
        await idle(limits.projectionPollIntervalMs, (wake) => (this.wakeIdle = wake));
        this.wakeIdle = undefined;
      }
    })();
  }

  /** Resolves once the batch in flight (if any) has committed; no other batch starts. */
  async stop(): Promise<void> {
    this.active = false;
    this.wakeIdle?.();
    this.unsubscribe?.();
    await this.loop;
  }
}
