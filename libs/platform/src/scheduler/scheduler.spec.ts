/**
 * The scheduler on a real PostgreSQL: one leader across runners (advisory lock), jobs run on
 * their interval and report outcomes and failures, a standby takes over when the leader stops,
 * and a disabled scheduler never runs anything.
 */
import { testDatabase, type TestDatabase } from '@test/test-db';
import { Scheduler, type ScheduledJob } from './scheduler';

let tdb: TestDatabase;
beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

function counter(name: string, runs: string[]): ScheduledJob {
  return {
    name,
    intervalMs: 10,
    async run() {
      runs.push(name);
      return `run ${runs.length}`;
    },
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('scheduler', () => {
  it('runs jobs in one process only, and a standby takes over when the leader stops', async () => {
    const runsA: string[] = [];
    const runsB: string[] = [];
    const a = new Scheduler(tdb.newPool(2), [counter('a-job', runsA)], {
      enabled: true,
      tickMs: 10,
    });
    const b = new Scheduler(tdb.newPool(2), [counter('b-job', runsB)], {
      enabled: true,
      tickMs: 10,
    });
    a.start();
    await until('a to lead', () => a.status().running_here);
    b.start();
    await until('a to run its job a few times', () => runsA.length >= 3);
    expect(b.status().running_here).toBe(false);
    expect(runsB).toEqual([]);
    await a.stop();
    await until('b to take over', () => b.status().running_here && runsB.length >= 2);
    expect(b.status().jobs[0]).toMatchObject({
      name: 'b-job',
      last_outcome: expect.stringMatching(/^run /),
      last_error: null,
    });
    await b.stop();
  });

  it('records a failing job and keeps running the others', async () => {
    const runs: string[] = [];
    const failing: ScheduledJob = {
      name: 'failing',
      intervalMs: 10,
      async run() {
        throw new Error('PSP unreachable');
      },
    };
    const s = new Scheduler(tdb.newPool(2), [failing, counter('ok-job', runs)], {
      enabled: true,
      tickMs: 10,
    });
    s.start();
    await until(
      'both jobs to run twice',
      () => runs.length >= 2 && (s.status().jobs[0]?.runs ?? 0) >= 2,
    );
    expect(s.status().jobs[0]).toMatchObject({
      last_outcome: 'failed',
      last_error: 'Error: PSP unreachable',
    });
    await s.stop();
  });

  it('never runs when disabled', async () => {
    const runs: string[] = [];
    const s = new Scheduler(tdb.newPool(1), [counter('never', runs)], {
      enabled: false,
      tickMs: 10,
    });
    s.start();
    expect(s.status()).toMatchObject({ enabled: false, running_here: false });
    await s.stop();
    expect(runs).toEqual([]);
  });
});
