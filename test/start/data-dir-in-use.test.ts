/**
 * Who owns a DATA_DIR: while one API instance runs, a second start on the same DATA_DIR must stop
 * with a clear "in use by another running instance" error and leave the first one untouched. A
 * start that fails after its PostgreSQL came up (here: the HTTP port is taken) must stop that
 * PostgreSQL again, or the data dir would stay "in use" by nobody. And a stale postmaster.pid
 * that names a live process which is not PostgreSQL (pid reuse after a crash or a container
 * restart) must not block a start.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import {
  assertBuilt,
  cleanup,
  getJson,
  isRunning,
  makeTempDir,
  output,
  postmasterPid,
  processName,
  startApi,
  waitExit,
  waitHealthy,
  type ApiProcess,
} from './api-process';

describe('a DATA_DIR in use', () => {
  let dataDir: string;
  let first: ApiProcess;
  let livePidFile: string;

  beforeAll(async () => {
    assertBuilt();
    dataDir = await makeTempDir('kobatela-start-inuse-');
    first = startApi({ env: { DATA_DIR: dataDir } });
    await waitHealthy(first);
    livePidFile = await fs.readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8');
  }, 90_000);
  afterAll(cleanup, 60_000);

  it('a second start on the same DATA_DIR exits non-zero saying it is in use; the first keeps running', async () => {
    const pgPid = postmasterPid(dataDir)!;
    const second = startApi({ env: { DATA_DIR: dataDir } });
    const exit = await waitExit(second, 60_000);
    if (exit.code === 0 || exit.code === null)
      throw new Error(`expected a non-zero exit\n${output(second)}`);
    expect(second.stderr).toContain(`DATA_DIR ${dataDir} is in use by another running instance`);
    expect(second.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(second.port).toBeNull();
    // The first instance and its server are untouched.
    expect(first.exit).toBeNull();
    expect(postmasterPid(dataDir)).toBe(pgPid);
    expect(isRunning(pgPid)).toBe(true);
    expect(existsSync(path.join(dataDir, 'connection.json'))).toBe(true);
    const health = await getJson(first.port!, '/health');
    expect(health.body.db_ok).toBe(true);
  }, 90_000);

  it('a start whose HTTP port is taken exits 1 naming PORT and stops its own PostgreSQL', async () => {
    const otherDir = await makeTempDir('kobatela-start-port-');
    const taken = startApi({ env: { DATA_DIR: otherDir, PORT: String(first.port) } });
    const exit = await waitExit(taken, 60_000);
    if (exit.code !== 1) throw new Error(`expected exit code 1\n${output(taken)}`);
    expect(taken.logs.some((l) => l.msg === 'starting embedded PostgreSQL')).toBe(true);
    expect(taken.stderr).toContain(`cannot listen on 127.0.0.1:${first.port}`);
    expect(taken.stderr).toContain('PORT');
    // Its PostgreSQL was started and must be stopped again: nothing holds otherDir.
    expect(existsSync(path.join(otherDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(postmasterPid(otherDir)).toBeNull();
    expect(existsSync(path.join(otherDir, 'connection.json'))).toBe(false);
  }, 90_000);

  it('a stale postmaster.pid naming a live process that is not PostgreSQL does not block a start', async () => {
    process.kill(first.pid, 'SIGINT');
    const stopped = await waitExit(first, 30_000);
    if (stopped.code !== 0)
      throw new Error(`the first instance did not stop cleanly\n${output(first)}`);
    expect(postmasterPid(dataDir)).toBeNull();
    // What a crash leaves (the server's own lock file), with its pid now taken by another program:
    // pid 1 is alive, is not PostgreSQL, and belongs to root (so PostgreSQL's own check passes too).
    expect(isRunning(1)).toBe(true);
    expect(processName(1)).not.toBe('postgres');
    const lines = livePidFile.split('\n');
    lines[0] = '1';
    await fs.writeFile(path.join(dataDir, 'pg', 'postmaster.pid'), lines.join('\n'));
    const again = startApi({ env: { DATA_DIR: dataDir } });
    await waitHealthy(again);
    const pgPid = postmasterPid(dataDir);
    expect(pgPid).not.toBe(1);
    expect(processName(pgPid!)).toBe('postgres');
  }, 90_000);
});
