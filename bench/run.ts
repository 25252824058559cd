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
import {
  EmbeddedPostgres,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '@kob/postgres';
import { runHttpBenches } from './http.bench';
import { type BenchResult, table, withRatios } from './lib/measure';
import {
  createBenchTable,
  pgInsertBatch100,
  pgInsertTxn,
  storeAppend,
  storeAppendSameStream,
  type Timing,
} from './pg-store.bench';
import { runProjectionBenches } from './projection.bench';

export interface BenchPlan {
  quick: boolean;
  timing: Timing;
  httpTiming: Timing;
  escrows: number;
  photos: number;
  rebuildEvents: number;
  lagOfferedPerS: number;
  lagDurationMs: number;
}

function plan(quick: boolean): BenchPlan {
  return quick
    ? {
        quick,
        timing: { warmupMs: 500, durationMs: 2_000 },
        httpTiming: { warmupMs: 1_000, durationMs: 3_000 },
        escrows: 200,
        photos: 4,
        rebuildEvents: 20_000,
        lagOfferedPerS: 300,
        lagDurationMs: 3_000,
      }
    : {
        quick,
        timing: { warmupMs: 2_000, durationMs: 8_000 },
        httpTiming: { warmupMs: 3_000, durationMs: 12_000 },
        escrows: 1_000,
        photos: 16,
        rebuildEvents: 200_000,
        lagOfferedPerS: 300,
        lagDurationMs: 10_000,
      };
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const p = plan(quick);
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
  const wanted = (group: string) => !only || only.includes(group);
  try {
    const probe = new Client(admin);
    await probe.connect();
    postgresVersion = (await probe.query('SHOW server_version')).rows[0].server_version;
    const settings = (
      await probe.query(
        "SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit')",
      )
    ).rows;
    await probe.end();
    log(
      `PostgreSQL ${postgresVersion}: ${settings.map((s) => `${s.name}=${s.setting}`).join(', ')}`,
    );

    if (wanted('pg') || wanted('store')) {
      await ensureDatabase(admin, 'bench_store');
      const pool = createPool({ ...admin, database: 'bench_store' }, 24);
      const db = createKysely<any>(pool);
      await migrateToLatest(db);
      await createBenchTable(pool);
      const store = new PostgresEventStore(pool);
      log('pg.insert_txn.c8');
      results.push(await pgInsertTxn(pool, p.timing));
      log('pg.insert_batch100.c4');
      results.push(await pgInsertBatch100(pool, p.timing));
      if (wanted('store')) {
        log('store.append.c8');
        results.push(await storeAppend(store, p.timing));
        log('store.append_same_stream.c8');
        results.push(await storeAppendSameStream(store, p.timing));
      }
      await store.close();
      await db.destroy();
    }
    if (wanted('http')) results.push(...(await runHttpBenches(admin, dir, p, log)));
    if (wanted('projection')) results.push(...(await runProjectionBenches(admin, dir, p, log)));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
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

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
