/**
 * The projector worker killed mid-batch (issue 12, faults): the API runs with
 * PROJECTIONS_MODE=worker and `apps/projector` workers project for it, in small batches, while
 * concurrent keyed deposits, purchases and spends flow. Each round, at a random moment, SIGKILLs
 * the active worker as soon as it is seen inside a batch (its transaction holding the checkpoint
 * rows), lets a backlog build with no worker, starts a new worker and SIGKILLs it too while it is
 * catching up (checkpoints moving, backlog not done, a batch open), then starts another. At the
 * end the read models must equal a fresh fold with nothing applied twice or lost (one audit
 * record per event, event counts equal to the events, the ledger equal to an independent fold,
 * every table equal to `rebuild all`), every request's effect must be there once, no projector
 * halted and no event parked.
 */
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '@kob/postgres';
import { allProjectors } from '@kob/projections';
import {
  type ApiProcess,
  assertBuilt,
  cleanup,
  makeTempDir,
  waitUntil,
} from '../start/api-process';
import { type TestDatabase, testDatabase } from '../support/test-db';
import {
  auditEffects,
  healthFindings,
  ledgerProblems,
  moneyTotals,
  rebuildDiff,
  trialBalanceProblems,
  verifyAll,
  waitNothingPending,
  waitProjected,
} from './support/money-checks';
import { MoneyLoad, type World, createWorld, runSeed, seededRandom } from './support/money-load';
import { Service } from './support/service';
import { emptyCounts, reportCounts } from './support/tally';

/** Rounds; each kills two workers (one projecting live, one catching up on a backlog). */
const ROUNDS = 3;
const CONCURRENCY = 12;
/** Small batches: a kill lands inside one far more often than between two. */
const BATCH_SIZE = 20;
/** The live worker is killed this long into its round (uniformly drawn). */
const KILL_AFTER_MIN_MS = 1000;
const KILL_AFTER_MAX_MS = 3000;
/** How long the load runs with no worker at all (the backlog the next worker meets). */
const BACKLOG_MS = 2500;
const CATCH_UP_TIMEOUT_MS = 90_000;
/** Under load a worker opens a batch every few milliseconds; this bounds the wait for one. */
const BATCH_WAIT_TIMEOUT_MS = 20_000;

const counts = emptyCounts();
const seed = runSeed();
const rng = seededRandom(seed);
let tdb: TestDatabase;
let pool: Pool;
let service: Service;
let world: World;
let load: MoneyLoad;
let journal: string;
let worker: ApiProcess;
/** Per kill: the events the killed worker left unapplied (its open batch rolled back, and more). */
const behindAtKill: number[] = [];
/** Kills that caught a worker in the middle of a backlog (the others: projecting live). */
let killedCatchingUp = 0;

beforeAll(async () => {
  assertBuilt();
  process.stdout.write(`projector-kill: FAULTS_SEED=${seed}\n`);
  tdb = await testDatabase();
  pool = createPool(tdb.url, 4);
  journal = path.join(await makeTempDir('kobatela-faults-psp-'), 'psp-simulator.jsonl');
  service = await Service.create(counts, {
    databaseUrl: tdb.url,
    pspJournal: journal,
    env: {
      PROJECTIONS_MODE: 'worker',
      PROJECTION_BATCH_SIZE: String(BATCH_SIZE),
      SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS: '1000',
    },
  });
  await service.start();
  worker = service.startWorker();
  await service.workerActive(worker, allProjectors.length);
  await service.adminKeyWorks();
  world = await createWorld(service);
  load = new MoneyLoad(service, world, rng);
}, 300_000);

afterAll(async () => {
  reportCounts('projector worker kill -9', counts);
  await cleanup();
  await pool?.end();
  await tdb?.close();
}, 120_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Events committed and not yet applied by the audit trail (every event makes one record). */
async function backlog(): Promise<{ applied: number; behind: number }> {
  const res = await pool.query<{ applied: string; total: string }>(`
    SELECT (SELECT events_applied FROM projection_checkpoints WHERE name = 'audit_log')::text
             AS applied,
           (SELECT count(*) FROM events)::text AS total`);
  const applied = Number(res.rows[0]!.applied);
  return { applied, behind: Number(res.rows[0]!.total) - applied };
}

/**
 * Whether a worker is inside a batch now: a batch's transaction begins by advancing the
 * checkpoints (UPDATE projection_checkpoints), so it holds that table's RowExclusiveLock until it
 * commits. Only workers write there in worker mode, and one worker runs at a time here.
 */
async function batchOpen(): Promise<boolean> {
  const res = await pool.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
     WHERE c.relname = 'projection_checkpoints' AND l.mode = 'RowExclusiveLock' AND l.granted
       AND l.pid <> pg_backend_pid()`);
  return res.rows[0]!.n > 0;
}

/** SIGKILLs the worker as soon as it is seen inside a batch (polled every few milliseconds). */
async function killWorker(): Promise<void> {
  await waitUntil(
    'the worker to open a batch',
    async () => ((await batchOpen()) ? true : undefined),
    BATCH_WAIT_TIMEOUT_MS,
    2,
  );
  await service.killWorker(worker);
  behindAtKill.push((await backlog()).behind);
}

/**
 * Starts a worker on a backlog and kills it once it has applied some of it and is inside a batch
 * of the rest. (Should it catch up first, it is killed in its next batch all the same.)
 */
async function killWhileCatchingUp(): Promise<void> {
  const before = await backlog();
  worker = service.startWorker();
  const caughtUp = await waitUntil(
    'the new worker to apply part of the backlog',
    async () => {
      const now = await backlog();
      if (now.behind === 0) return true;
      return now.applied > before.applied && (await batchOpen()) ? false : undefined;
    },
    CATCH_UP_TIMEOUT_MS,
    5,
  );
  if (caughtUp) return killWorker();
  await service.killWorker(worker);
  behindAtKill.push((await backlog()).behind);
  killedCatchingUp += 1;
}

describe('a projector worker killed with SIGKILL mid-batch', () => {
  it('keeps projecting through kills, under load', async () => {
    const run = load.start(CONCURRENCY);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await pause(KILL_AFTER_MIN_MS + rng() * (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS));
        await killWorker();
        await pause(BACKLOG_MS);
        await killWhileCatchingUp();
        worker = service.startWorker();
        await service.workerActive(worker, allProjectors.length);
      }
    } finally {
      await run.stop();
    }
    await load.drain(CONCURRENCY, 60_000);
    expect(counts.kills).toBe(ROUNDS * 2);
    // Every kill left work behind: at least the batch it was inside of.
    expect(behindAtKill.filter((n) => n > 0)).toHaveLength(ROUNDS * 2);
    expect(service.serverErrors).toEqual([]);
  });

  it('applies each event once: audit records, event counts, ledger against a fold', async () => {
    await waitNothingPending(pool, CATCH_UP_TIMEOUT_MS);
    await waitProjected(pool, CATCH_UP_TIMEOUT_MS);
    type Counts = { events: number; audit: number; distinct_audit: number; stats: number };
    const res = await pool.query<Counts>(`
      SELECT (SELECT count(*) FROM events)::int AS events,
             (SELECT count(*) FROM audit_log)::int AS audit,
             (SELECT count(DISTINCT event_id) FROM audit_log)::int AS distinct_audit,
             (SELECT coalesce(sum(events), 0) FROM event_stats)::int AS stats`);
    const { events, audit, distinct_audit: distinctAudit, stats } = res.rows[0]!;
    counts.doubleEffects += Math.max(0, audit - distinctAudit) + Math.max(0, stats - events);
    counts.lostEffects += Math.max(0, events - distinctAudit) + Math.max(0, events - stats);
    const expected = { audit: events, distinctAudit: events, stats: events };
    expect({ audit, distinctAudit, stats }).toEqual(expected);
    expect(await ledgerProblems(pool)).toEqual([]);
    const health = await healthFindings(service);
    counts.haltedProjectors = health.halted.length;
    expect({ halted: health.halted, parked: health.parked }).toEqual({ halted: [], parked: 0 });
  });

  it('each request answered 2xx took effect exactly once, and the money adds up', async () => {
    const effects = await auditEffects(pool, load.ops, world, journal);
    counts.lostEffects += effects.lost.length;
    counts.doubleEffects += effects.double.length;
    expect(effects).toEqual({ refused: [], double: [], lost: [] });
    expect(await moneyTotals(service, world, load.ops)).toEqual([]);
    expect(await trialBalanceProblems(service, world)).toEqual([]);
  });

  it('the read models equal a fresh fold and every hash chain verifies', async () => {
    await service.stopWorkers();
    await service.stop();
    expect(await rebuildDiff(service, pool)).toEqual([]);
    expect(await verifyAll(service)).toEqual([]);
  });

  afterAll(() => {
    process.stdout.write(
      `projector-kill: ${load?.ops.length} requests, ${counts.kills} worker kills, ` +
        `events left unapplied at each kill: ${behindAtKill.join(', ')} ` +
        `(${killedCatchingUp} while catching up a backlog)\n${service?.errorSummary(10) ?? ''}`,
    );
  });
});
