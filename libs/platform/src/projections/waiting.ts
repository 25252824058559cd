/**
 * Read-your-writes: waiting until the projectors an answer depends on have passed a command's
 * position (or one of them is halted, or parked that very command).
 */
import { assert } from '@kob/kernel';
import { type Position, comparePositions } from '@kob/event-store';
import type { Live } from './checkpoints';
import type { ProjectorHead } from './projector';

/** What a wait reads of the runner. */
export interface WaitView {
  projectors: readonly ProjectorHead[];
  live(name: string): Live | undefined;
  /** Whether the live loop runs here (then changes are signalled, else checkpoints are polled). */
  running(): boolean;
  nextChange(timeoutMs: number): Promise<void>;
  /** Where no live loop runs here: resolves once the checkpoints have been read afresh. */
  follow(timeoutMs: number): Promise<void>;
  parkedAt(position: Position, projectors: readonly ProjectorHead[]): Promise<string[]>;
  unconcernedBy(
    position: Position,
    projectors: readonly ProjectorHead[],
  ): Promise<ReadonlySet<string>>;
}

export async function waitForPosition(
  view: WaitView,
  position: Position,
  timeoutMs: number,
  projectors: readonly string[] | undefined,
): Promise<boolean> {
  if (projectors)
    assert(
      projectors.every((name) => view.projectors.some((p) => p.name === name)),
      `waitFor names an unknown projector: ${projectors.join(', ')}`,
    );
  const only = projectors ? new Set(projectors) : null;
  // Halted projectors that read none of the streams the command at `position` wrote: their read
  // models have nothing of it to show, so they do not hold its answer (found once, and only
  // when one is halted: a halted ledger holds a deposit's answer, not a new user's).
  let unconcerned: ReadonlySet<string> | null = null;
  const counted = () =>
    view.projectors.filter(
      (p) =>
        !view.live(p.name)?.outdated &&
        (only === null || only.has(p.name)) &&
        !unconcerned?.has(p.name),
    );
  const reached = () =>
    counted().every((p) => {
      const l = view.live(p.name);
      return l !== undefined && !l.halted && comparePositions(l.checkpoint, position) >= 0;
    });
  const halted = () => counted().filter((p) => view.live(p.name)?.halted);
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Number.MAX_SAFE_INTEGER; i++) {
    // Passed, unless one of them parked this very command: then it is not in its read model.
    if (reached()) return (await view.parkedAt(position, counted())).length === 0;
    const stopped = halted();
    if (stopped.length > 0 && unconcerned === null) {
      unconcerned = await view.unconcernedBy(position, stopped);
      continue;
    }
    if (stopped.length > 0 || Date.now() >= deadline) return false;
    if (view.running()) await view.nextChange(deadline - Date.now());
    else await view.follow(deadline - Date.now());
  }
  return false;
}

/** The waits parked until the next change (a batch, a halt, a rebuild, a stop). */
export class ChangeSignal {
  private readonly waiters = new Set<() => void>();

  /** Resolves at the next `notify`, or after `timeoutMs`; `wake` nudges the live loop. */
  next(timeoutMs: number, wake?: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      wake?.();
    });
  }

  notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** How many waits are parked (neither notified nor timed out yet). */
  get size(): number {
    return this.waiters.size;
  }
}

/** Sleeps `ms`, or until the function handed to `setWake` is called (an append woke the loop). */
export function idle(ms: number, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    setWake(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
