/**
 * The projection runner's live loop: rounds back to back while there is more to read, otherwise
 * an idle wait that an in-process append, a waiting request (`wake`) or a stop cuts short. A stop
 * ends it between batches, never inside one: the batch in flight commits with its checkpoint and
 * no other batch starts, so a stopping worker hands over a checkpoint that matches its writes.
 *
 * There is more to read when a round filled a batch, or when this process appended (or a request
 * woke the loop) while the round ran: that wake-up is kept for the next round, never lost (it
 * used to be, so an append made during a round that found nothing waited for the next poll). A
 * round that applied a partial batch with no append since it started goes idle at once instead
 * of reading `$all` again to find nothing; other processes' appends are found by the poll, as
 * after any idle round.
 */
import { limits } from '@kob/kernel';
import type { EventStore } from '@kob/event-store';
import { idle } from './waiting';

/** What a round did: the events it applied (per projector), and whether a batch was full. */
export interface RoundOutcome {
  applied: number;
  full: boolean;
}

/** One round of batches, asking `goOn` before each batch. */
export type LiveRound = (goOn: () => boolean) => Promise<RoundOutcome>;

/** Runs `LiveRound`s until stopped; see the file's comment. */
export class LiveLoop {
  private active = false;
  private wakeIdle: (() => void) | undefined;
  /** Woken since the round in flight started (an append, a waiting request). */
  private woken = false;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  /** Whether the loop runs: from `start` until `stop` is called. */
  get running(): boolean {
    return this.active;
  }

  /** Cuts the idle wait short, so the next round starts now (no effect during a round). */
  readonly wake = (): void => {
    this.woken = true;
    this.wakeIdle?.();
  };

  /** Starts the loop, woken by the store's in-process appends; no effect when it runs already. */
  start(store: Pick<EventStore, 'onAppended'>, round: LiveRound): void {
    if (this.active) return;
    this.active = true;
    this.unsubscribe = store.onAppended(this.wake);
    this.loop = (async () => {
      while (this.active) {
        this.woken = false;
        const outcome = await round(() => this.active).catch(() => ({ applied: 0, full: false }));
        if (outcome.full || this.woken || !this.active) continue;
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
