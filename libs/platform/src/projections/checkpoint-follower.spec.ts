import { CheckpointFollower } from './checkpoint-follower';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A read the test ends by hand, recording when each began. */
function manualReads() {
  const started: number[] = [];
  const pending: { end: () => void }[] = [];
  const read = () =>
    new Promise<void>((resolve) => {
      started.push(performance.now());
      pending.push({ end: resolve });
    });
  return { read, started, pending };
}

/** Whether `p` has settled (after the microtasks now queued have run). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await sleep(0);
  return done;
}

describe('CheckpointFollower', () => {
  it('answers every wait asking at once with one read', async () => {
    const reads = manualReads();
    const follower = new CheckpointFollower(reads.read, 10);
    const waits = Array.from({ length: 10 }, () => follower.next(5_000));
    await sleep(0);
    expect(reads.started).toHaveLength(1);
    expect(await settled(Promise.all(waits))).toBe(false);
    reads.pending[0]!.end();
    await Promise.all(waits);
    expect(follower.reads).toBe(1);
  });

  it('answers a wait that asked during a read only by a read that began after it asked', async () => {
    const reads = manualReads();
    const follower = new CheckpointFollower(reads.read, 10);
    const first = follower.next(5_000);
    await sleep(0);
    const late = follower.next(5_000);
    reads.pending[0]!.end();
    await first;
    expect(await settled(late)).toBe(false);
    // The next read starts once the interval has passed since the first began.
    await new Promise<void>((resolve) => {
      const check = () => (reads.started.length === 2 ? resolve() : setTimeout(check, 1));
      check();
    });
    expect(reads.started[1]! - reads.started[0]!).toBeGreaterThanOrEqual(9.5);
    expect(await settled(late)).toBe(false);
    reads.pending[1]!.end();
    await late;
  });

  it('reads at most once per interval while waits keep asking', async () => {
    const started: number[] = [];
    const follower = new CheckpointFollower(async () => {
      started.push(performance.now());
    }, 15);
    const until = performance.now() + 150;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (performance.now() < until) await follower.next(1_000);
      }),
    );
    expect(started.length).toBeGreaterThanOrEqual(2);
    expect(started.length).toBeLessThanOrEqual(Math.ceil(150 / 15) + 2);
    // Each read is timed as it begins, a few microseconds after the follower's own clock.
    for (let i = 1; i < started.length; i++)
      expect(started[i]! - started[i - 1]!).toBeGreaterThanOrEqual(14.5);
  });

  it('answers its waits when a read fails, and reads again for those that ask again', async () => {
    let calls = 0;
    const follower = new CheckpointFollower(async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection lost');
    }, 1);
    await follower.next(5_000);
    await follower.next(5_000);
    expect(calls).toBe(2);
  });

  it('lets a wait run out while a read hangs, and reads nothing for waits that ran out', async () => {
    const reads = manualReads();
    // An interval long enough that a slow machine's late timers do not reach it.
    const follower = new CheckpointFollower(reads.read, 500);
    const started = performance.now();
    await follower.next(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
    reads.pending[0]!.end();
    // A wait that runs out before the interval has passed: no read is made for it.
    await follower.next(5);
    await sleep(600);
    expect(reads.started).toHaveLength(1);
    expect(follower.reads).toBe(1);
  });
});
