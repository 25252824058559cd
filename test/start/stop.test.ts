/**
 * Ctrl-C stops both processes cleanly: the built API is started for real with its embedded
 * PostgreSQL, then stopped with SIGINT sent to the node process only (`kill -INT`), with SIGINT
 * sent to the whole process group (what a terminal's Ctrl-C does: PostgreSQL gets it too), and
 * with SIGINT arriving while PostgreSQL is still starting. Each time the node process must exit 0
 * in bounded time, the PostgreSQL server must be gone and its postmaster.pid removed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  assertBuilt,
  cleanup,
  isRunning,
  makeTempDir,
  output,
  postmasterPid,
  processName,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
  type ApiProcess,
} from './api-process';

describe('stopping the API (Ctrl-C)', () => {
  let dataDir: string;
  beforeAll(async () => {
    assertBuilt();
    dataDir = await makeTempDir('kobatela-start-stop-');
  });
  afterAll(cleanup, 60_000);

  async function startHealthy(): Promise<{ api: ApiProcess; pgPid: number }> {
    const api = startApi({ env: { DATA_DIR: dataDir } });
    await waitHealthy(api);
    const pgPid = postmasterPid(dataDir);
    expect(pgPid).not.toBeNull();
    expect(isRunning(pgPid!)).toBe(true);
    expect(processName(pgPid!)).toBe('postgres');
    return { api, pgPid: pgPid! };
  }

  function expectStoppedCleanly(
    api: ApiProcess,
    pgPid: number,
    exit: { code: number | null },
  ): void {
    if (exit.code !== 0) throw new Error(`expected exit code 0\n${output(api)}`);
    expect(isRunning(pgPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'connection.json'))).toBe(false);
    expect(api.logs.some((l) => l.msg === 'stopped')).toBe(true);
  }

  it('SIGINT to the node process stops HTTP and PostgreSQL, exit code 0', async () => {
    const { api, pgPid } = await startHealthy();
    process.kill(api.pid, 'SIGINT');
    const exit = await waitExit(api, 30_000);
    expectStoppedCleanly(api, pgPid, exit);
  }, 90_000);

  it('SIGINT to the whole process group (a terminal Ctrl-C) also exits 0 and leaves nothing', async () => {
    const { api, pgPid } = await startHealthy();
    process.kill(-api.pid, 'SIGINT');
    const exit = await waitExit(api, 30_000);
    expectStoppedCleanly(api, pgPid, exit);
  }, 90_000);

  it('SIGINT while PostgreSQL is starting stops what was started, exit code 0', async () => {
    // A fresh data dir: initdb widens the window in which the signal lands during the start.
    const freshDir = await makeTempDir('kobatela-start-stop-early-');
    const api = startApi({ env: { DATA_DIR: freshDir } });
    await waitUntil(
      'the "starting embedded PostgreSQL" log line',
      () => {
        if (api.exit) throw new Error(`the API exited early\n${output(api)}`);
        return api.logs.some((l) => l.msg === 'starting embedded PostgreSQL') ? true : undefined;
      },
      30_000,
      10,
    );
    process.kill(api.pid, 'SIGINT');
    const exit = await waitExit(api, 60_000);
    if (exit.code !== 0) throw new Error(`expected exit code 0\n${output(api)}`);
    expect(api.port).toBeNull(); // it never listened: the signal came during the start
    expect(api.logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(postmasterPid(freshDir)).toBeNull();
    expect(existsSync(path.join(freshDir, 'connection.json'))).toBe(false);
  }, 90_000);
});
