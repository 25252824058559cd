/**
 * Helpers for the process-level start/stop tests: spawn the built API (`dist/apps/api/src/main.js`)
 * as a real child process, read its JSON log lines, wait (bounded polling, never fixed sleeps)
 * until `/health` reports the database, and clean up every process, PostgreSQL server and temp
 * folder the tests made, even when a test fails.
 *
 * Children run in their own process group (`detached`), so a test can send a terminal-like Ctrl-C
 * (the signal to the whole group) and the cleanup can kill a group that a failed test left.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const MAIN_JS = path.join('dist', 'apps', 'api', 'src', 'main.js');

/** Configuration variables the tests set explicitly (never inherited from the jest process). */
const CONFIG_VARS = [
  'APP_ENV',
  'PORT',
  'HOST',
  'DATA_DIR',
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'EVENT_HORIZON_HELD_MAX_MS',
  'API_KEY_SECRET',
  'BOOTSTRAP_ADMIN_API_KEY',
  'DEV_API_KEY',
  'LOG_LEVEL',
  'PROJECTIONS_MODE',
  'PROJECTION_BATCH_SIZE',
  'EVENT_STORE',
  'KOBATELA_TEST_CRASH_AFTER_APPEND',
  'KOBATELA_TEST_PG',
  'NODE_OPTIONS',
  'PSP_WEBHOOK_SECRET',
  'PSP_WEBHOOK_SECRET_NEXT',
  'TRUST_PROXY',
  'RATE_LIMIT_ENABLED',
  'RATE_LIMIT_PER_KEY_PER_MINUTE',
  'RATE_LIMIT_PER_IP_PER_MINUTE',
  'RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE',
  'RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE',
];

export function assertBuilt(root = REPO_ROOT): void {
  const main = path.join(root, MAIN_JS);
  if (!existsSync(main)) {
    throw new Error(
      `${main} does not exist: build first ("npm run build"; "npm test" builds before jest)`,
    );
  }
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ApiProcess {
  child: ChildProcess;
  pid: number;
  /** The DATA_DIR the process uses (resolved against its cwd when not set). */
  dataDir: string;
  stdout: string;
  stderr: string;
  /** Parsed JSON log lines (pino) from stdout. */
  logs: Array<Record<string, unknown>>;
  exit: ExitInfo | null;
  exited: Promise<ExitInfo>;
  port: number | null;
}

const running = new Set<ApiProcess>();
const dataDirs = new Set<string>();
const tempDirs = new Set<string>();

export interface StartOptions {
  cwd?: string;
  /** Overrides of the child's environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Another built entry point (e.g. the projector worker); the API by default. */
  script?: string;
  /** Command-line arguments (e.g. the CLI's command). */
  args?: string[];
}

/**
 * Spawns `node dist/apps/api/src/main.js` in `cwd` (the repo root by default) with a clean
 * configuration: HOST=127.0.0.1, PORT=0 (the port is read from the "listening" log line),
 * APP_ENV=development, LOG_LEVEL=info, plus `env`.
 */
export function startApi(options: StartOptions = {}): ApiProcess {
  const cwd = options.cwd ?? REPO_ROOT;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !CONFIG_VARS.includes(k)) env[k] = v;
  }
  Object.assign(env, { HOST: '127.0.0.1', PORT: '0', APP_ENV: 'development', LOG_LEVEL: 'info' });
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const dataDir = path.resolve(cwd, env.DATA_DIR ?? './.data');
  dataDirs.add(dataDir);
  const child = spawn(process.execPath, [options.script ?? MAIN_JS, ...(options.args ?? [])], {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('could not spawn the API process');
  const api: ApiProcess = {
    child,
    pid: child.pid,
    dataDir,
    stdout: '',
    stderr: '',
    logs: [],
    exit: null,
    exited: undefined as unknown as Promise<ExitInfo>,
    port: null,
  };
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    api.stdout += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        api.logs.push(entry);
        if (entry.msg === 'listening' && typeof entry.port === 'number') api.port = entry.port;
      } catch {
        // not a JSON line
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    api.stderr += text;
  });
  // 'exit' may come before the last output is read (a process that writes its error and exits
  // at once, under load): the answer waits for both pipes to end, at most a second (a child of
  // the process, such as a PostgreSQL it started, may hold them open after it died).
  const ended = (stream: NodeJS.ReadableStream) =>
    new Promise<void>((resolve) => stream.once('end', () => resolve()));
  const drained = Promise.all([ended(child.stdout!), ended(child.stderr!)]);
  api.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const settle = () => {
        api.exit = { code, signal };
        running.delete(api);
        resolve(api.exit);
      };
      void Promise.race([drained, new Promise((r) => setTimeout(r, 1000))]).then(settle);
    });
  });
  running.add(api);
  return api;
}

function describeOutput(api: ApiProcess): string {
  const tail = (s: string) => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
  return `exit: ${JSON.stringify(api.exit)}\n--- stderr ---\n${tail(api.stderr)}\n--- stdout ---\n${tail(api.stdout)}`;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns a value, or fails after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(everyMs);
  }
}

export async function getJson(
  port: number,
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: urlPath, agent: false, timeout: 5000, headers },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) });
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath} timed out`)));
    req.on('error', reject);
  });
}

/** Waits for the "listening" line, then until `/health` says `db_ok: true`; returns that body. */
export async function waitHealthy(api: ApiProcess, timeoutMs = 60_000): Promise<any> {
  try {
    return await waitUntil(
      'the API to listen and report db_ok',
      async () => {
        if (api.exit) throw new Error('the API process exited before it became healthy');
        if (api.port === null) return undefined;
        const res = await getJson(api.port, '/health').catch(() => null);
        return res?.status === 200 && res.body.db_ok === true ? res.body : undefined;
      },
      timeoutMs,
      100,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${describeOutput(api)}`);
  }
}

/** `startApi`, then `waitHealthy`: the started process with its `/health` body. */
export async function startHealthy(
  options: StartOptions = {},
  timeoutMs = 60_000,
): Promise<{ api: ApiProcess; health: any }> {
  const api = startApi(options);
  return { api, health: await waitHealthy(api, timeoutMs) };
}

/**
 * Sends `signal` to the process (not its group) and waits, bounded, for it to exit; fails with
 * its output unless it exits with code 0.
 */
export async function stopCleanly(
  api: ApiProcess,
  signal: NodeJS.Signals = 'SIGINT',
  timeoutMs = 30_000,
): Promise<void> {
  process.kill(api.pid, signal);
  await exitedCleanly(api, timeoutMs);
}

/** Waits, bounded, for a process already told to stop; fails with its output unless it exits 0. */
export async function exitedCleanly(api: ApiProcess, timeoutMs = 30_000): Promise<void> {
  const exit = await waitExit(api, timeoutMs);
  if (exit.code !== 0) throw new Error(`expected exit code 0\n${describeOutput(api)}`);
}

/** Waits until the process exits, bounded; fails with its output when it does not. */
export async function waitExit(api: ApiProcess, timeoutMs: number): Promise<ExitInfo> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`the API process did not exit within ${timeoutMs} ms\n${describeOutput(api)}`),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([api.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function output(api: ApiProcess): string {
  return describeOutput(api);
}

/** The postmaster's pid from `<dataDir>/pg/postmaster.pid`, or null when there is no such file. */
export function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Alive and not a zombie (a reaped or exited process counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync('/proc/self') ? false : true;
  }
}

/** The program name of a process (Linux), e.g. `postgres`. */
export function processName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** A data dir a process chose itself (not known at its start): its server is stopped in cleanup. */
export function trackDataDir(dir: string): void {
  dataDirs.add(dir);
}

/** A fresh folder under the system temp dir (mode 0700, as mkdtemp makes it), removed in cleanup. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

/** Can the `postgres` user enter/execute `target`? (Only meaningful as root.) */
export function postgresUserCanExecute(target: string): boolean {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0) {
    throw new Error(
      'there is no "postgres" user (the embedded PostgreSQL creates it when run as root)',
    );
  }
  const res = spawnSync('/bin/sh', ['-c', 'test -x "$0"', target], { uid, gid });
  return res.status === 0;
}

async function stopPid(pid: number, group: boolean): Promise<void> {
  const target = group ? -pid : pid;
  const send = (signal: NodeJS.Signals) => {
    try {
      process.kill(target, signal);
    } catch {
      // already gone
    }
  };
  send('SIGINT');
  const deadline = Date.now() + 10_000;
  while (isRunning(pid) && Date.now() < deadline) await pause(100);
  if (isRunning(pid)) send('SIGKILL');
}

/**
 * Stops every API process still running (SIGINT to its group, then SIGKILL), every PostgreSQL
 * left in a data dir the tests used (by its postmaster.pid), and removes the temp folders.
 */
export async function cleanup(): Promise<void> {
  for (const api of [...running]) {
    await stopPid(api.pid, true);
    await waitExit(api, 5_000).catch(() => undefined);
  }
  for (const dir of dataDirs) {
    const pid = postmasterPid(dir);
    if (pid !== null && isRunning(pid) && processName(pid) === 'postgres')
      await stopPid(pid, false);
  }
  dataDirs.clear();
  for (const dir of tempDirs) await fs.rm(dir, { recursive: true, force: true });
  tempDirs.clear();
}
