/**
 * The order of a graceful stop, without a database: the live loop lets the batch in flight
 * finish and starts no other; the worker releases its advisory locks only after that batch, takes
 * none after the release (not even in a claim that was under way), and hands its lock connection
 * back to the pool (a connection kept out would make the pool's end, and so the exit, hang).
 * The same on real processes: test/start/worker-mode.test.ts.
 */
import type { Pool, PoolClient } from 'pg';
import { LiveLoop } from './live-loop';
import type { ProjectionRunner, ProjectorHead } from './projection-runner';
import { ProjectorWorker } from './projector-worker';

/** A promise with its resolve, for a step the test lets finish when it chooses. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks and timers of 0 ms run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

/** Settles until `check` holds (bounded: 200 rounds). */
async function until(check: () => boolean): Promise<void> {
  for (let round = 0; round < 200 && !check(); round++) await settle();
  expect(check()).toBe(true);
}

/** A lock connection that records what it is asked, in order, in `steps`. */
function fakeClient(steps: string[], name: string, locked = true) {
  const handlers: Record<string, () => void> = {};
  const client = {
    query: jest.fn(async (text: string) => {
      steps.push(`${name}: ${text.includes('unlock_all') ? 'unlock all' : 'try lock'}`);
      return { rows: [{ locked }] };
    }),
    on: jest.fn((event: string, handler: () => void) => (handlers[event] = handler)),
    release: jest.fn((err?: Error) => steps.push(`${name}: released${err ? ' (ended)' : ''}`)),
    fail: () => handlers.error?.(),
  };
  return client;
}

/** A runner whose batch in flight ends when the test says so. */
function fakeRunner(steps: string[]) {
  const batch = deferred();
  const runner = {
    start: jest.fn(),
    stop: jest.fn(async () => {
      await batch.promise;
      steps.push('batch committed');
    }),
  };
  return { runner: runner as unknown as ProjectionRunner<unknown>, finishBatch: batch.resolve };
}

const projectors: ProjectorHead[] = ['a', 'b'].map((name) => ({ name, version: 1, tables: [] }));

describe('graceful stop', () => {
  it('the live loop finishes the round in flight and starts no other', async () => {
    const loop = new LiveLoop();
    const inFlight = deferred<{ applied: number; full: boolean }>();
    const asked: boolean[] = [];
    const round = jest.fn(async (goOn: () => boolean) => {
      asked.push(goOn());
      const applied = await inFlight.promise;
      asked.push(goOn()); // what the round asks before its next batch
      return applied;
    });
    loop.start({ onAppended: () => () => undefined }, round);
    await settle();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false); // waits for the batch in flight
    inFlight.resolve({ applied: 3, full: true });
    await stopping;
    expect(asked).toEqual([true, false]);
    expect(round).toHaveBeenCalledTimes(1);
    expect(loop.running).toBe(false);
  });

  it('releases the locks only after the batch in flight committed', async () => {
    const steps: string[] = [];
    const client = fakeClient(steps, 'lock connection');
    const pool = { connect: jest.fn(async () => client) } as unknown as Pool;
    const { runner, finishBatch } = fakeRunner(steps);
    const worker = new ProjectorWorker(pool, runner, projectors, { standbyPollMs: 60_000 });
    await worker.start();
    expect(worker.activeProjectors()).toEqual(['a', 'b']);
    const stopping = worker.stop();
    await settle();
    expect(steps).not.toContain('lock connection: unlock all');
    finishBatch();
    await stopping;
    expect(steps).toEqual([
      'lock connection: try lock',
      'lock connection: try lock',
      'batch committed',
      'lock connection: unlock all',
      'lock connection: released',
    ]);
    expect(worker.activeProjectors()).toEqual([]);
  });

  it('waits for a claim under way and releases what it connected, taking no lock after stop', async () => {
    const steps: string[] = [];
    const first = fakeClient(steps, 'first');
    const second = fakeClient(steps, 'second');
    const connecting = deferred<PoolClient>();
    const connect = jest.fn().mockResolvedValueOnce(first).mockReturnValueOnce(connecting.promise);
    const { runner, finishBatch } = fakeRunner(steps);
    const worker = new ProjectorWorker({ connect } as unknown as Pool, runner, projectors, {
      standbyPollMs: 10,
    });
    await worker.start();
    first.fail(); // the lock connection is lost: the next claim connects again
    expect(worker.activeProjectors()).toEqual([]);
    await until(() => connect.mock.calls.length === 2);
    finishBatch();
    const stopping = worker.stop(); // while that claim waits for its connection
    connecting.resolve(second as unknown as PoolClient);
    await stopping;
    expect(steps.filter((s) => s.startsWith('second'))).toEqual([
      'second: unlock all',
      'second: released',
    ]);
    expect(steps.indexOf('second: unlock all')).toBeGreaterThan(steps.indexOf('batch committed'));
    await settle();
    expect(connect).toHaveBeenCalledTimes(2); // no claim after the stop
  });
});
