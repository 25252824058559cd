/**
 * The service under fault, as separate processes: the built API (`dist/apps/api/src/main.js`),
 * projector workers and the CLI, all on one database, plus an HTTP client (undici) that counts
 * every request and every 5xx into the file's tally. A killed API is started again on the same
 * database and PSP journal; the client follows it to its new port.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import net from 'node:net';
import { Pool } from 'undici';
import type { FaultCounts } from './tally';
import {
  type ApiProcess,
  REPO_ROOT,
  makeTempDir,
  output,
  startApi,
  waitExit,
  waitHealthy,
  waitUntil,
} from '../../start/api-process';
import { runChild } from '../../support/child';

export const PROJECTOR_JS = path.join('dist', 'apps', 'projector', 'src', 'main.js');
export const CLI_JS = path.join('dist', 'apps', 'cli', 'src', 'main.js');

/** A request without an answer after this long is given up (and replayed, if it is keyed). */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long a (re)started API may take to listen and reach its database. */
const API_START_TIMEOUT_MS = 90_000;
/** How long a graceful stop (SIGINT) may take. */
const API_STOP_TIMEOUT_MS = 30_000;
/** Connections of the client's pool per API process (the load's concurrency). */
const CLIENT_CONNECTIONS_MAX = 32;
/** 5xx answers kept verbatim for the report. */
const SERVER_ERRORS_KEPT_MAX = 20;

export const newApiKey = () =>
  `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

/** An answer, or why there was none (connection refused or reset, timeout), and when (epoch ms). */
export type Outcome = (
  { answer: Answer; error?: undefined } | { answer?: undefined; error: string }
) & { startedAt: number; endedAt: number };

export interface CallOptions {
  headers?: Record<string, string>;
  /**
   * Whether a 503 is what this request should get (the database was down while it ran: asked
   * with the attempt's start and end, epoch ms); such a 503 is not counted as a 5xx.
   */
  expect503?: (startedAt: number, endedAt: number) => boolean;
}

export interface ServiceOptions {
  databaseUrl: string;
  /** The PSP simulator's journal, shared by every API process (one PSP, as in production). */
  pspJournal: string;
  env?: Record<string, string>;
}

/**
 * Environment of every process of one service: the same database, key secret, admin key and PSP
 * journal across restarts. The rate limits (when the HTTP edge has them) are raised: the load
 * comes from one address and is not what they are for.
 */
function serviceEnv(
  options: ServiceOptions,
  dataDir: string,
  admin: string,
): Record<string, string> {
  return {
    APP_ENV: 'development',
    DATABASE_URL: options.databaseUrl,
    DATA_DIR: dataDir,
    API_KEY_SECRET: randomBytes(32).toString('base64url'),
    BOOTSTRAP_ADMIN_API_KEY: admin,
    PSP_SIMULATOR_JOURNAL: options.pspJournal,
    PSP_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
    RATE_LIMIT_PER_KEY_PER_MINUTE: '10000000',
    RATE_LIMIT_PER_IP_PER_MINUTE: '10000000',
    // Request logs of thousands of requests cost the shared CPU; errors (500s) are still logged.
    LOG_LEVEL: 'warn',
    ...options.env,
  };
}

/** A free TCP port of 127.0.0.1 (the kernel's pick, released at once for the API to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export class Service {
  api: ApiProcess | null = null;
  /** Every API process started, killed ones included (their logs are read after the run). */
  readonly history: ApiProcess[] = [];
  readonly env: Record<string, string>;
  readonly adminKey = newApiKey();
  readonly serverErrors: string[] = [];
  private pool: Pool | null = null;
  private readonly workers = new Set<ApiProcess>();

  private constructor(
    readonly counts: FaultCounts,
    options: ServiceOptions,
    dataDir: string,
  ) {
    this.env = serviceEnv(options, dataDir, this.adminKey);
  }

  static async create(counts: FaultCounts, options: ServiceOptions): Promise<Service> {
    return new Service(counts, options, await makeTempDir('kobatela-faults-data-'));
  }

  /** Starts an API process and waits until it reports its database. */
  async start(): Promise<void> {
    if (this.api) throw new Error('an API process is already running');
    // A port chosen here (the API's "listening" line is an info log; the processes log at warn).
    const port = await freePort();
    const api = startApi({ env: { ...this.env, PORT: String(port) } });
    api.port = port;
    this.api = api;
    this.history.push(api);
    await waitHealthy(api, API_START_TIMEOUT_MS);
    this.pool = new Pool(`http://127.0.0.1:${api.port}`, {
      connections: CLIENT_CONNECTIONS_MAX,
      headersTimeout: REQUEST_TIMEOUT_MS,
      bodyTimeout: REQUEST_TIMEOUT_MS,
    });
  }

  /**
   * Waits until the bootstrap admin key authenticates: in worker mode its issue is in the event
   * store at once but in the key read model only once a worker projected it.
   */
  async adminKeyWorks(timeoutMs = 60_000): Promise<void> {
    const works = async () =>
      (await this.call('GET', '/apikeys?limit=1', this.adminKey)).answer?.status === 200;
    await waitUntil(
      'the bootstrap admin key to be projected',
      async () => ((await works()) ? true : undefined),
      timeoutMs,
      100,
    );
  }

  /** SIGKILL: no shutdown code runs; requests in flight lose their connection. */
  async kill(): Promise<void> {
    const api = this.requireApi();
    process.kill(api.pid, 'SIGKILL');
    this.counts.kills += 1;
    const exit = await waitExit(api, API_STOP_TIMEOUT_MS);
    if (exit.signal !== 'SIGKILL') {
      throw new Error(`the API exited by itself before the kill\n${output(api)}`);
    }
    await this.dropClient();
    this.api = null;
  }

  /** A clean stop (SIGINT), which must exit 0. */
  async stop(): Promise<void> {
    const api = this.requireApi();
    process.kill(api.pid, 'SIGINT');
    const exit = await waitExit(api, API_STOP_TIMEOUT_MS);
    if (exit.code !== 0) throw new Error(`the API did not stop cleanly\n${output(api)}`);
    await this.dropClient();
    this.api = null;
  }

  /** Starts a projector worker (PROJECTIONS_MODE=worker) on the same database. */
  startWorker(): ApiProcess {
    // At info: a worker logs each projector it takes ("projector active"), and little else.
    const worker = startApi({ script: PROJECTOR_JS, env: { ...this.env, LOG_LEVEL: 'info' } });
    this.workers.add(worker);
    void worker.exited.then(() => this.workers.delete(worker));
    return worker;
  }

  /** Waits until `worker` holds every projector's lock (it logs each one it takes). */
  async workerActive(worker: ApiProcess, projectors: number, timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      'the projector worker to take every projector',
      () => {
        if (worker.exit) throw new Error(`the worker exited\n${output(worker)}`);
        const taken = worker.logs.filter((l) => l.msg === 'projector active').length;
        return taken >= projectors ? true : undefined;
      },
      timeoutMs,
      100,
    );
  }

  async killWorker(worker: ApiProcess): Promise<void> {
    process.kill(worker.pid, 'SIGKILL');
    this.counts.kills += 1;
    await waitExit(worker, API_STOP_TIMEOUT_MS);
  }

  async stopWorkers(): Promise<void> {
    for (const w of [...this.workers]) {
      process.kill(w.pid, 'SIGINT');
      await waitExit(w, API_STOP_TIMEOUT_MS);
    }
  }

  /** Runs the CLI (`kobatela …`) against the same database; its exit code and output. */
  async cli(
    args: string[],
    timeoutMs = 180_000,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const res = await runChild(path.join(REPO_ROOT, CLI_JS), this.env, timeoutMs, args);
    return { code: res.code, stdout: res.stdout, stderr: res.stderr };
  }

  /** One HTTP request to the running API, counted; a refused or broken connection is an error. */
  async call(
    method: string,
    urlPath: string,
    key: string | null,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<Outcome> {
    const pool = this.pool;
    const startedAt = Date.now();
    if (!pool) return { error: 'no API process is running', startedAt, endedAt: startedAt };
    this.counts.requests += 1;
    const headers: Record<string, string> = {
      ...(key ? { 'x-api-key': key } : {}),
      ...options.headers,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await pool.request({
        method: method as 'GET',
        path: urlPath,
        headers,
        body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.body.text();
      let json: unknown = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      const answer: Answer = { status: res.statusCode, headers: res.headers, body: json, text };
      const endedAt = Date.now();
      const expected = answer.status === 503 && (options.expect503?.(startedAt, endedAt) ?? false);
      if (answer.status >= 500 && !expected) this.noteServerError(method, urlPath, answer);
      return { answer, startedAt, endedAt };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const error = `${e.code ?? 'ERROR'}: ${e.message ?? String(err)}`;
      return { error, startedAt, endedAt: Date.now() };
    }
  }

  /** A call that must answer `status` (setup steps): its body, or a thrown error naming it. */
  async expectStatus(
    status: number,
    method: string,
    urlPath: string,
    key: string | null,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<any> {
    const out = await this.call(method, urlPath, key, body, { headers });
    if (out.error !== undefined || out.answer.status !== status) {
      const got = out.error ?? `${out.answer.status} ${out.answer.text.slice(0, 500)}`;
      throw new Error(`${method} ${urlPath}: expected ${status}, got ${got}`);
    }
    return out.answer.body;
  }

  noteServerError(method: string, urlPath: string, answer: Answer): void {
    this.counts.serverErrors += 1;
    if (this.serverErrors.length < SERVER_ERRORS_KEPT_MAX) {
      const what = `${method} ${urlPath} → ${answer.status} ${answer.text.slice(0, 300)}`;
      this.serverErrors.push(what);
    }
  }

  /** Log lines of every API process at level error or worse (500s are logged with their stack). */
  errorLogs(): string[] {
    return this.history.flatMap((api) =>
      api.logs.filter((l) => Number(l.level) >= 50).map((l) => JSON.stringify(l).slice(0, 1500)),
    );
  }

  /** The first error log lines, for a run's summary (empty when there are none). */
  errorSummary(max: number): string {
    const lines = this.errorLogs();
    if (lines.length === 0) return '';
    return `API error logs (${lines.length}):\n${lines.slice(0, max).join('\n')}\n`;
  }

  private requireApi(): ApiProcess {
    if (!this.api) throw new Error('no API process is running');
    return this.api;
  }

  private async dropClient(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy().catch(() => undefined);
  }
}
