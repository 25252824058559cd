/**
 * `npm run bench -- --peer`: the Emmett peer (bench/peers/emmett/, its differences in work per
 * request in the README.md there) measured in the same run as ours, on the same PostgreSQL, each
 * on its own database, so that each of our ratios to the raw baseline stands beside Emmett's:
 * - `peer.emmett.append.c8`: Emmett's event store under `store.append.c8`'s load;
 * - `peer.emmett.http.deposit.c16`: the peer's API as a child process (as ours runs), under
 *   `http.deposit.c16`'s load from our load generator process (the same job: 16 connections, a
 *   fresh Idempotency-Key each, spread over as many seeded escrows, an answer counting only when
 *   it is 200 and says CONFIRMED).
 * `peerComparison` prints each pair with both ratios and ours ÷ Emmett.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureDatabase } from '@kob/postgres';
import { type ClosedAnswer, closedResult } from './http.bench';
import { databaseUrl, pooled, runLoad } from './lib/api-process';
import { type BenchResult, memoryOf } from './lib/measure';
import type { BenchContext } from './lib/plan';
import { emmettAppend } from './peers/emmett/append';

const DIST = path.resolve(__dirname, '..');
const PEER_APP = path.join(DIST, 'bench', 'peers', 'emmett', 'app.js');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const SEED_CONCURRENCY = 16;
const DEPOSIT_CONNECTIONS = 16;
/** Deposits never reach it, as in http.bench.ts's seeding. */
const ESCROW_TOTAL = '100000000000.00';

/** The groups of bench/run.ts whose figures the comparison needs, run whatever `--only` says. */
export const PEER_GROUPS: readonly string[] = ['pg', 'store', 'http'];

/** Each of our figures and the peer's row measuring the same load. */
export const PEER_PAIRS = [
  { ours: 'store.append.c8', peer: 'peer.emmett.append.c8' },
  { ours: 'http.deposit.c16', peer: 'peer.emmett.http.deposit.c16' },
] as const;

interface PeerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the peer's API and waits for its `listening <port>` line. */
async function startPeer(connectionString: string, apiKey: string): Promise<PeerProcess> {
  const child: ChildProcess = spawn(process.execPath, [PEER_APP], {
    env: { ...process.env, DATABASE_URL: connectionString, PEER_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the Emmett peer did not start within 60 s:\n${output}`)),
      START_TIMEOUT_MS,
    );
    const remember = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8_000);
      const m = /^listening (\d+)$/m.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', remember);
    child.stderr!.on('data', remember);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Emmett peer exited (${code}):\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

async function seedEscrows(peer: PeerProcess, apiKey: string, n: number): Promise<string[]> {
  const ids: string[] = new Array(n);
  await pooled(Array.from({ length: n }), SEED_CONCURRENCY, async (_x, i) => {
    const res = await fetch(`${peer.url}/escrows`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ amount_total: ESCROW_TOTAL, currency: 'USD' }),
    });
    const body = await res.json();
    if (res.status !== 201) throw new Error(`peer create escrow: ${res.status} ${body}`);
    ids[i] = (body as { id: string }).id;
  });
  return ids;
}

async function peerDeposits(bench: BenchContext): Promise<BenchResult> {
  const { admin, dir, plan: p, log } = bench;
  await ensureDatabase(admin, 'bench_peer_emmett_api');
  const apiKey = randomBytes(32).toString('base64url');
  const peer = await startPeer(databaseUrl(admin, 'bench_peer_emmett_api'), apiKey);
  try {
    log(`Emmett peer on ${peer.url} (pid ${peer.pid}); seeding ${p.escrows} escrows`);
    const escrowIds = await seedEscrows(peer, apiKey, p.escrows);
    log('peer.emmett.http.deposit.c16');
    const a = await runLoad<ClosedAnswer>(
      {
        mode: 'closed',
        url: peer.url,
        kind: 'deposit',
        connections: DEPOSIT_CONNECTIONS,
        ...p.httpTiming,
        apiKey,
        escrowIds,
      },
      dir,
    );
    const memory = await memoryOf(peer.pid);
    return closedResult('peer.emmett.http.deposit.c16', a, 'pg.insert_txn.c8', {
      escrows: escrowIds.length,
      peer_peak_rss_mb: memory?.peakMb ?? 'n/a',
    });
  } finally {
    await peer.stop();
  }
}

export async function runPeerBenches(bench: BenchContext): Promise<BenchResult[]> {
  const { admin, plan: p, log } = bench;
  await ensureDatabase(admin, 'bench_peer_emmett_store');
  log('peer.emmett.append.c8');
  const append = await emmettAppend(databaseUrl(admin, 'bench_peer_emmett_store'), p.timing);
  return [append, await peerDeposits(bench)];
}

const fixed = (x: number | null | undefined, digits: number) =>
  x === null || x === undefined ? 'n/a' : x.toFixed(digits);

/** Our figures beside Emmett's: both ratios to the same raw baseline, and ours ÷ Emmett. */
export function peerComparison(results: readonly BenchResult[]): string {
  const find = (name: string) => results.find((r) => r.name === name);
  const rows = PEER_PAIRS.map(({ ours, peer }) => {
    const o = find(ours);
    const e = find(peer);
    const over = o?.ops_per_s && e?.ops_per_s ? o.ops_per_s / e.ops_per_s : null;
    return [
      ours,
      fixed(o?.ops_per_s, 1),
      fixed(o?.ratio, 3),
      fixed(o?.p99_ms, 2),
      peer,
      fixed(e?.ops_per_s, 1),
      fixed(e?.ratio, 3),
      fixed(e?.p99_ms, 2),
      fixed(over, 2),
    ];
  });
  const head = [
    'ours',
    'ops/s',
    'ratio',
    'p99 ms',
    'Emmett',
    'ops/s',
    'ratio',
    'p99 ms',
    'ours ÷ Emmett',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [
    `Against the Emmett peer (ratios to pg.insert_txn.c8; the differences in work per request: bench/peers/emmett/README.md)`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
