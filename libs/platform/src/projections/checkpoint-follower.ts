/**
 * Following the checkpoints another process commits. Where this process runs no live loop (the
 * API in worker mode, where the workers project), a request that waits for the projections
 * (read-your-writes: `X-Min-Event-Position`, a new key, a revocation) learns their progress
 * from the checkpoints' rows. Every wait of the process shares one reader: while any waits, one
 * statement reads every projector's checkpoint, at most once per `intervalMs`, and each wait
 * checks its position against that answer.
 *
 * Each wait used to read the checkpoints itself, one statement per projector, after a 25 ms
 * sleep: 16 waiting requests sent over 200 statements per poll, and those statements were most
 * of what the waits then waited for.
 *
 * A wait is answered by a read that started after it asked, so it sees every checkpoint
 * committed before it asked. A read that fails answers its waits all the same: each checks the
 * checkpoints it has and asks again, until its own deadline. A read that hangs holds no wait
 * past its deadline (each has its own timer), but no other read starts until it ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ChangeSignal } from './waiting';

export class CheckpointFollower {
  /** Waits for the next read that starts after they asked. */
  private asking = new ChangeSignal();
  private running = false;
  private lastReadAt = Number.NEGATIVE_INFINITY;
  /** Reads made (the tests read it). */
  reads = 0;

  constructor(
    private readonly read: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  /** Resolves once a read that started after this call has ended, or after `timeoutMs`. */
  next(timeoutMs: number): Promise<void> {
    const answered = this.asking.next(timeoutMs);
    if (!this.running) void this.loop();
    return answered;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.asking.size > 0) {
        await this.spaced();
        // The waits may all have run out meanwhile: then nothing is read.
        if (this.asking.size === 0) break;
        const answered = this.asking;
        this.asking = new ChangeSignal();
        this.lastReadAt = performance.now();
        this.reads += 1;
        await this.read().catch(() => undefined);
        answered.notify();
        // The waits answered ask again (if they must) only after their own checks: let them.
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.running = false;
    }
  }

  /** Until `intervalMs` after the last read began (a timer may fire early: checked again). */
  private async spaced(): Promise<void> {
    for (;;) {
      const rest = this.lastReadAt + this.intervalMs - performance.now();
      if (rest <= 0) return;
      await sleep(Math.ceil(rest));
    }
  }
}
