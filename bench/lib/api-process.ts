/**
 * The API (and, in worker mode, the projector worker) as child processes of the bench, started
 * from `dist/` against the bench's PostgreSQL, as an operator would run them: production mode,
 * durable database, logs at `warn`. `call` is a small JSON client for seeding (not the load).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ensureDatabase, type PgConnectionConfig } from '@kob/postgres';

const DIST = path.resolve(__dirname, '..', '..');

/**
 * What the image sets for the processes beyond the service's own configuration: glibc's arena
 * count (docker/Dockerfile), read from there so the bench measures the API as it is deployed.
 */
export function imageEnvironment(): { MALLOC_ARENA_MAX?: string } {
  // From dist/bench/lib (the bench) or bench/lib (a test) up to the repository.
  let root = __dirname;
  while (!existsSync(path.join(root, 'docker', 'Dockerfile')) && path.dirname(root) !== root)
    root = path.dirname(root);
  const file = path.join(root, 'docker', 'Dockerfile');
  if (!existsSync(file)) return {};
  // The runtime stage's (the last FROM's) setting.
  const dockerfile = readFileSync(file, 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const arenas = /\bMALLOC_ARENA_MAX=(\d+)\b/.exec(runtime.replace(/^\s*#.*$/gm, ''))?.[1];
  return arenas ? { MALLOC_ARENA_MAX: arenas } : {};
}

export interface ApiProcess {
  url: string;
  pid: number;
  adminKey: string;
  child: ChildProcess;
  workers: ChildProcess[];
  call(
    method: string,
    url: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: any; headers: Headers }>;
  stop(): Promise<void>;
}

export function databaseUrl(c: PgConnectionConfig, database: string): string {
  return `postgresql://${c.user}:${encodeURIComponent(c.password)}@localhost:${c.port}/${database}?host=${encodeURIComponent(c.host)}`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface StartApiOptions {
  admin: PgConnectionConfig;
  database: string;
  dataDir: string;
  mode: 'inline' | 'worker';
  log: (m: string) => void;
  /** Extra Node flags for the API (`BENCH_API_NODE_ARGS`, e.g. `--cpu-prof`, to profile it). */
  nodeArgs?: string[];
  /** Settings over the bench's own (the projector costs' pass turns deferred writes off). */
  env?: Record<string, string>;
}

/** The environment an operator would give the API (and worker) for the bench. */
function apiEnvironment(o: StartApiOptions, port: number, adminKey: string): NodeJS.ProcessEnv {
  return {
    ...imageEnvironment(),
    ...process.env,
    APP_ENV: 'production',
    DATABASE_URL: databaseUrl(o.admin, o.database),
    DATA_DIR: o.dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEY_SECRET: randomBytes(32).toString('hex'),
    BOOTSTRAP_ADMIN_API_KEY: adminKey,
    PSP_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    SCHEDULER_ENABLED: 'false',
    // One API process: the key cache is safe here (see API_KEY_CACHE in the README).
    API_KEY_CACHE: 'true',
    PROJECTIONS_MODE: o.mode,
    // The benchmarks fire hundreds of requests a second with one key from one address: far above
    // the production budgets. Raised here, explicitly, so the limiter still runs (its cost is
    // measured) but never refuses; the defaults are not touched.
    RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '100000000',
    RATE_LIMIT_AUTH_FAILURES_PER_IP_PER_MINUTE: '100000000',
    RATE_LIMIT_WEBHOOK_PER_IP_PER_MINUTE: '100000000',
    ...o.env,
  };
}

/** A small JSON client for seeding (not the load). */
function jsonClient(url: string): ApiProcess['call'] {
  return async (method, u, key, body, headers = {}) => {
    const res = await fetch(`${url}${u}`, {
      method,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  };
}

/** The last lines the API and its workers printed, for an error message. */
class OutputTail {
  private readonly lines: string[] = [];
  readonly remember = (chunk: Buffer): void => {
    this.lines.push(chunk.toString());
    if (this.lines.length > 50) this.lines.shift();
  };
  follow(child: ChildProcess): ChildProcess {
    child.stdout!.on('data', this.remember);
    child.stderr!.on('data', this.remember);
    return child;
  }
  toString(): string {
    return this.lines.join('');
  }
}

/** Polls `ready` every `everyMs` until it holds, or throws `what` with the output after the deadline. */
async function until(
  ready: () => Promise<boolean>,
  deadline: number,
  everyMs: number,
  what: string,
  output: OutputTail,
): Promise<void> {
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what}:\n${output}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts the API on its database (created when missing). */
export async function startApi(o: StartApiOptions): Promise<ApiProcess> {
  await ensureDatabase(o.admin, o.database);
  const port = await freePort();
  const adminKey = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;
  const env = apiEnvironment(o, port, adminKey);
  const output = new OutputTail();
  const nodeArgs = o.nodeArgs ?? process.env.BENCH_API_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = output.follow(
    spawn(process.execPath, [...nodeArgs, path.join(DIST, 'apps', 'api', 'src', 'main.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const workers: ChildProcess[] = [];
  const url = `http://127.0.0.1:${port}`;
  const call = jsonClient(url);
  const deadline = Date.now() + 60_000;
  await until(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`the API exited (${child.exitCode}):\n${output}`);
      const health = await call('GET', '/health', null).catch(() => null);
      return health?.status === 200;
    },
    deadline,
    200,
    'the API did not answer /health within 60 s',
    output,
  );
  if (o.mode === 'worker')
    workers.push(
      output.follow(
        spawn(process.execPath, [path.join(DIST, 'apps', 'projector', 'src', 'main.js')], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ),
    );
  // The bootstrap admin key works once the api_keys read model has it (in worker mode, once the
  // worker has started and caught up).
  await until(
    async () => (await call('GET', '/users?limit=1', adminKey).catch(() => null))?.status === 200,
    deadline,
    100,
    'the bootstrap admin key was not accepted within 60 s',
    output,
  );
  o.log(`API on ${url} (${o.mode} projections, pid ${child.pid})`);
  return {
    url,
    pid: child.pid!,
    adminKey,
    child,
    workers,
    call,
    stop: async () => {
      await Promise.all(workers.map(stopChild));
      await stopChild(child);
    },
  };
}

/** Runs the load generator process on a job and returns its JSON answer. */
export async function runLoad<T>(job: unknown, tmpDir: string): Promise<T> {
  const { writeFile } = await import('node:fs/promises');
  const file = path.join(tmpDir, `load-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(job));
  const child = spawn(
    process.execPath,
    [path.join(DIST, 'bench', 'children', 'load.child.js'), file],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the load generator failed (${code}): ${err}`);
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

/** Runs `work` over items with at most `n` at once. */
export async function pooled<T>(
  items: readonly T[],
  n: number,
  work: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (;;) {
        const i = next++;
        if (i >= items.length) return;
        await work(items[i]!, i);
      }
    }),
  );
}
