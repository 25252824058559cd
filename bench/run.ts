/**
 * `npm run bench` (`-- --quick` for a short run): starts its own embedded PostgreSQL (durable:
 * `fsync=on`, `synchronous_commit=on`), runs each benchmark after a warm-up, prints a table and
 * writes `bench/results/latest.json`. Baselines are measured in the same run on the same
 * machine, so the ratios hold on a noisy machine where absolute numbers do not. PostgreSQL, the
 * API and the load generator (a separate process) share this machine's cores: the HTTP ratios are
 * pessimistic.
 */
import 'reflect-metadata';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '@kob/event-store';
import { EmbeddedPostgres, type PgConnectionConfig } from '@kob/postgres';
import { runHttpBenches } from './http.bench';
import { PEER_GROUPS, peerComparison, runPeerBenches } from './peer.bench';
import { migratedDatabase } from './lib/databases';
import { type BenchResult, table, withRatios } from './lib/measure';
import {
  createBenchTable,
  pgInsertBatch100,
  pgInsertTxn,
  storeAppend,
  storeAppendSameStream,
} from './pg-store.bench';
import { runProjectionBenches } from './projection.bench';
import { type BenchPlan, benchPlan } from './lib/plan';

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** The server's version and durability settings, as the report states them. */
async function probePostgres(admin: PgConnectionConfig): Promise<string> {
  const probe = new Client(admin);
  await probe.connect();
  try {
    const version = (await probe.query('SHOW server_version')).rows[0].server_version as string;
    const settings = (
      await probe.query(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit')",
      )
    ).rows;
    log(`PostgreSQL ${version}: ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}`);
    return version;
  } finally {
    await probe.end();
  }
}

/** The raw PostgreSQL baselines and the event store's appends, on one database. */
async function runStoreBenches(
  admin: PgConnectionConfig,
  p: BenchPlan,
  withStore: boolean,
): Promise<BenchResult[]> {
  const { pool, db } = await migratedDatabase(admin, 'bench_store', 72);
  await createBenchTable(pool);
  const store = new PostgresEventStore(pool);
  const alone = new PostgresEventStore(pool, { groupCommit: false });
  const results: BenchResult[] = [];
  try {
    log('pg.insert_txn.c8');
    results.push(await pgInsertTxn(pool, p.timing));
    log('pg.insert_batch100.c4');
    results.push(await pgInsertBatch100(pool, p.timing));
    if (withStore) {
      log('store.append.c8');
      results.push(await storeAppend(store, p.timing, 8));
      log('store.append.c64');
      results.push(await storeAppend(store, p.timing, 64));
      log('store.append_alone.c64');
      results.push(await storeAppend(alone, p.timing, 64, 'store.append_alone.c64'));
      log('store.append_same_stream.c8');
      results.push(await storeAppendSameStream(store, p.timing));
    }
  } finally {
    await store.close();
    await alone.close();
    await db.destroy();
  }
  return results;
}

/** Writes bench/results/latest.json and prints the table. */
async function report(
  results: BenchResult[],
  started: Date,
  postgresVersion: string,
  quick: boolean,
): Promise<void> {
  const final = withRatios(results);
  const report = {
    started_at: started.toISOString(),
    node: process.version,
    postgres: postgresVersion,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? null,
    quick,
    duration_s: Math.round((Date.now() - started.getTime()) / 1000),
    results: final,
  };
  const out = path.resolve(__dirname, '..', '..', 'bench', 'results');
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    `${table(final)}\n\n${report.cpus} CPUs (${report.cpu_model}), Node ${report.node}, PostgreSQL ${report.postgres}, ${report.duration_s} s${quick ? ' (quick)' : ''}\nwritten to bench/results/latest.json\n`,
  );
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const p = benchPlan(quick);
  const started = new Date();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kobatela-bench-'));
  const server = new EmbeddedPostgres({
    dataDir: dir,
    settings: { fsync: 'on', synchronous_commit: 'on', max_connections: '200' },
  });
  log(`starting a durable embedded PostgreSQL in ${dir}`);
  const admin = await server.start();
  const results: BenchResult[] = [];
  let postgresVersion = '';
  // --peer: the Emmett peer beside ours, and the groups its comparison needs (peer.bench.ts).
  const peer = process.argv.includes('--peer');
  const wanted = (group: string) =>
    !only || only.includes(group) || (peer && PEER_GROUPS.includes(group));
  try {
    postgresVersion = await probePostgres(admin);
    if (wanted('pg') || wanted('store'))
      results.push(...(await runStoreBenches(admin, p, wanted('store'))));
    const bench = { admin, dir, plan: p, log };
    if (wanted('http')) results.push(...(await runHttpBenches(bench)));
    if (peer) results.push(...(await runPeerBenches(bench)));
    if (wanted('projection')) results.push(...(await runProjectionBenches(bench)));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  await report(results, started, postgresVersion, quick);
  if (peer) process.stdout.write(`\n${peerComparison(withRatios(results))}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
