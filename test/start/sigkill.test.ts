/**
 * An API killed with SIGKILL cannot run any shutdown code, yet its embedded PostgreSQL must not
 * outlive it holding DATA_DIR: a watchdog tied to the API's lifetime stops the server, and the
 * next start on the same DATA_DIR succeeds without anyone killing anything by hand.
 */
import {
  assertBuilt,
  cleanup,
  isRunning,
  makeTempDir,
  output,
  postmasterPid,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
} from './api-process';

describe('an API killed with SIGKILL', () => {
  beforeAll(assertBuilt);
  afterAll(cleanup, 60_000);

  it('takes its PostgreSQL down with it, and the next start works', async () => {
    const dataDir = await makeTempDir('kobatela-start-sigkill-');
    const first = startApi({ env: { DATA_DIR: dataDir } });
    await waitHealthy(first);
    const pgPid = postmasterPid(dataDir)!;
    expect(isRunning(pgPid)).toBe(true);
    process.kill(first.pid, 'SIGKILL');
    expect((await waitExit(first, 10_000)).signal).toBe('SIGKILL');
    await waitUntil(
      'PostgreSQL to stop after its API was killed',
      () => (isRunning(pgPid) ? undefined : true),
      20_000,
    );
    const second = startApi({ env: { DATA_DIR: dataDir } });
    const health = await waitHealthy(second).catch((err) => {
      throw new Error(`${(err as Error).message}\n${output(second)}`);
    });
    expect(health.db_ok).toBe(true);
    process.kill(second.pid, 'SIGINT');
    expect((await waitExit(second, 30_000)).code).toBe(0);
  });
});
