/**
 * kill -9 the API under concurrent money requests (issue 12, faults): deposits, mandate purchases
 * and usage spends, each with its own Idempotency-Key, flow from this process to the built API
 * (a separate process on its own database of the test cluster, its PSP simulator journalled to a
 * file so a restarted API asks the same PSP). At a random moment the API is SIGKILLed, started
 * again on the same data, and every request that got no answer (or a 5xx) is replayed with its
 * key, under more load and more kills, until answered. Then each request answered 2xx must have
 * taken effect exactly once (event store and PSP journal), the money must add up (summaries,
 * mandates, the ledger against an independent fold, the trial balance at zero), the read models
 * must equal a fresh `rebuild all`, `verify --all` must pass and no projector may be halted.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '@kob/postgres';
import { assertBuilt, cleanup, makeTempDir } from '../start/api-process';
import { type TestDatabase, testDatabase } from '../support/test-db';
import {
  auditEffects,
  completedByAnother,
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

/** SIGKILLs of the API during the run. */
const KILLS = 8;
/** Requests in flight at once. */
const CONCURRENCY = 16;
/** The kill comes this long after a round's load began (uniformly drawn). */
const KILL_AFTER_MIN_MS = 2000;
const KILL_AFTER_MAX_MS = 5000;
/** Answered requests sent once more at the end (their answers must not change). */
const REPEATS_MAX = 40;
/** Bounded waits of the final phase. */
const DRAIN_TIMEOUT_MS = 120_000;
const SETTLE_TIMEOUT_MS = 60_000;

const counts = emptyCounts();
const seed = runSeed();
const rng = seededRandom(seed);
let tdb: TestDatabase;
let pool: Pool;
let service: Service;
let world: World;
let load: MoneyLoad;
let journal: string;
/** Attempts that lost their connection (the kills cut requests in flight). */
let cut = 0;

beforeAll(async () => {
  assertBuilt();
  process.stdout.write(`api-kill: FAULTS_SEED=${seed}\n`);
  tdb = await testDatabase();
  pool = createPool(tdb.url, 4);
  journal = path.join(await makeTempDir('kobatela-faults-psp-'), 'psp-simulator.jsonl');
  service = await Service.create(counts, {
    databaseUrl: tdb.url,
    pspJournal: journal,
    env: { SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS: '1000' },
  });
  await service.start();
  world = await createWorld(service);
  load = new MoneyLoad(service, world, rng, {
    onAttempt: (_op, outcome) => (cut += outcome.error !== undefined ? 1 : 0),
  });
}, 300_000);

afterAll(async () => {
  reportCounts('api kill -9', counts);
  await cleanup();
  await pool?.end();
  await tdb?.close();
}, 120_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the API killed with SIGKILL under concurrent money requests', () => {
  it('restarts on the same data and answers every request, replayed with its key', async () => {
    for (let round = 0; round < KILLS; round++) {
      const run = load.start(CONCURRENCY);
      // A random moment: the kill lands wherever the requests in flight happen to be.
      await pause(KILL_AFTER_MIN_MS + rng() * (KILL_AFTER_MAX_MS - KILL_AFTER_MIN_MS));
      const stopping = run.stop();
      await service.kill();
      await stopping;
      await service.start();
    }
    await load.drain(CONCURRENCY, DRAIN_TIMEOUT_MS);
    expect(load.unanswered()).toEqual([]);
    expect(counts.kills).toBe(KILLS);
    // The kills cut requests in flight (else this test would prove nothing).
    expect(cut).toBeGreaterThan(0);
    expect(service.serverErrors).toEqual([]);
  });

  it('a request repeated with its key answers as the first time, across restarts', async () => {
    // The replayed ones (cut by a kill) and as many others, answered before one or more restarts.
    const replayed = load.ops.filter((op) => op.attempts > 1).slice(0, REPEATS_MAX / 2);
    const others = load.ops.filter((op) => op.attempts === 1);
    const sample = [...replayed, ...others.slice(0, REPEATS_MAX - replayed.length)];
    expect(await load.repeatAnswered(sample)).toEqual([]);
  });

  it('each request answered 2xx took effect exactly once: none twice, none lost', async () => {
    // Deposits and spends a kill left PENDING are settled by the replays or the recovery job.
    await waitNothingPending(pool, SETTLE_TIMEOUT_MS);
    await waitProjected(pool, SETTLE_TIMEOUT_MS);
    const audit = await auditEffects(pool, load.ops, world, journal);
    counts.lostEffects = audit.lost.length;
    counts.doubleEffects = audit.double.length;
    expect(audit).toEqual({ refused: [], double: [], lost: [] });
    expect(load.ops.length).toBeGreaterThan(KILLS * CONCURRENCY);
  });

  it('the money adds up: summaries, mandates, ledger against a fold, trial balance', async () => {
    const health = await healthFindings(service);
    counts.haltedProjectors = health.halted.length;
    expect({ halted: health.halted, parked: health.parked }).toEqual({ halted: [], parked: 0 });
    expect(await moneyTotals(service, world, load.ops)).toEqual([]);
    expect(await ledgerProblems(pool)).toEqual([]);
    expect(await trialBalanceProblems(service, world)).toEqual([]);
  });

  it('the read models equal a fresh fold and every hash chain verifies', async () => {
    await service.stop();
    expect(await rebuildDiff(service, pool)).toEqual([]);
    expect(await verifyAll(service)).toEqual([]);
  });

  it('control: the audit sees an effect missing and an effect doubled', async () => {
    // The same counters over doctored inputs: a 2xx naming a deposit that does not exist, and a
    // PSP journal (a copy) where a spend's transfer appears twice.
    const deposit = load.ops.find((op) => op.kind === 'deposit' && op.answer?.status === 200)!;
    const spend = load.ops.find((op) => op.kind === 'spend' && op.answer?.status === 200)!;
    const answer = { ...deposit.answer!, body: { deposit: { id: randomUUID() } } };
    const ghost = { ...deposit, n: -1, idemKey: 'never-sent', answer };
    const doubled = path.join(path.dirname(journal), 'doubled.jsonl');
    const lines = readFileSync(journal, 'utf8');
    const spendLine = lines.split('\n').find((l) => l.includes(spend.answer!.body.payment_id))!;
    writeFileSync(doubled, `${lines}${spendLine}\n`);
    const audit = await auditEffects(pool, [...load.ops, ghost], world, doubled);
    expect(audit.lost).toEqual([expect.stringContaining('#-1 deposit key=never-sent')]);
    const spendLabel = `#${spend.n} spend key=${spend.idemKey}`;
    expect(audit.double).toEqual([expect.stringContaining(spendLabel)]);
  });

  afterAll(async () => {
    const replayed = load.ops.filter((op) => op.attempts > 1);
    const midway = await completedByAnother(pool).catch((err) => String(err));
    process.stdout.write(
      `api-kill: ${load.ops.length} requests (${replayed.length} replayed, ${cut} attempts cut), ` +
        `${counts.kills} kills; completed by another request or the recovery job: ` +
        `${JSON.stringify(midway)}\n${service.errorSummary(10)}`,
    );
  });
});
