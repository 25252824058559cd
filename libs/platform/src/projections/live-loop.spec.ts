/**
 * The live loop's choice after each round: at once again (a full batch, or a wake-up during the
 * round), or idle until woken or polled. The poll interval is long here, so a round that starts
 * within the test's few milliseconds was started by the loop's choice, not by the poll.
 */
import { limits } from '@kob/kernel';
import { LiveLoop, type RoundOutcome } from './live-loop';

const POLL_MS = 10_000;
let pollMs: number;
beforeAll(() => {
  pollMs = limits.projectionPollIntervalMs;
  (limits as { projectionPollIntervalMs: number }).projectionPollIntervalMs = POLL_MS;
});
afterAll(() => {
  (limits as { projectionPollIntervalMs: number }).projectionPollIntervalMs = pollMs;
});

/** Lets pending promise callbacks and timers of 0 ms run. */
const settle = () => new Promise((r) => setTimeout(r, 20));

/** A loop whose rounds answer from `outcomes` in turn (then nothing), each held until released. */
function scripted(outcomes: RoundOutcome[], during?: (loop: LiveLoop, round: number) => void) {
  const loop = new LiveLoop();
  let rounds = 0;
  loop.start({ onAppended: () => () => undefined }, async () => {
    const n = rounds++;
    during?.(loop, n);
    await Promise.resolve();
    return outcomes[n] ?? { applied: 0, full: false };
  });
  return { loop, rounds: () => rounds };
}

const loops: LiveLoop[] = [];
afterEach(async () => {
  await Promise.all(loops.splice(0).map((l) => l.stop()));
});

it('goes idle after a partial batch with nothing appended since the round started', async () => {
  const s = scripted([{ applied: 5, full: false }]);
  loops.push(s.loop);
  await settle();
  expect(s.rounds()).toBe(1);
});

it('reads again at once after a full batch', async () => {
  const s = scripted([{ applied: 500, full: true }]);
  loops.push(s.loop);
  await settle();
  expect(s.rounds()).toBe(2);
});

it('keeps a wake-up that came during a round that found nothing, and runs again at once', async () => {
  const s = scripted([], (loop, round) => {
    if (round === 0) loop.wake();
  });
  loops.push(s.loop);
  await settle();
  expect(s.rounds()).toBe(2);
});

it('an append while idle starts a round', async () => {
  const listeners: (() => void)[] = [];
  const loop = new LiveLoop();
  loops.push(loop);
  let rounds = 0;
  loop.start(
    {
      onAppended: (l) => {
        listeners.push(l);
        return () => undefined;
      },
    },
    async () => {
      rounds++;
      return { applied: 0, full: false };
    },
  );
  await settle();
  expect(rounds).toBe(1);
  for (const l of listeners) l();
  await settle();
  expect(rounds).toBe(2);
});
