/**
 * PostgreSQL stopped and started again under load (issue 12, faults). The API runs on a
 * PostgreSQL server this test owns (TCP on 127.0.0.1, so a stopped server refuses connections as
 * a database host does), with concurrent keyed deposits, purchases and spends flowing. The server
 * is stopped at a random moment with a fast shutdown (what `pg_ctl stop -m fast` does: sessions
 * terminated, open transactions rolled back), left down for a few seconds while requests keep
 * coming, then started again; the API is never restarted. While it is down every answer must be
 * a 503 in the error envelope (`DATABASE_UNAVAILABLE` or `SERVICE_UNAVAILABLE`) with
 * Retry-After: never a 500, never a 401 because the key could not be looked up, and the process
 * must stay up (`/health` answers 200 saying `db_ok: false`). Once the server is back the service
 * must recover by itself: requests succeed, every unanswered request replayed with its key takes
 * effect exactly once, the projections catch up, the scheduler runs its jobs again, and the read
 * models equal a fresh fold.
 */
import path from 'node:path';
import type { Pool } from 'pg';
import { createPool } from '@kob/postgres';
import { assertBuilt, cleanup, makeTempDir, waitUntil } from '../start/api-process';
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
import {
  type MoneyOp,
  MoneyLoad,
  type World,
  createWorld,
  runSeed,
  seededRandom,
} from './support/money-load';
import { OwnPostgres } from './support/own-postgres';
import { type Outcome, Service } from './support/service';
import { emptyCounts, reportCounts } from './support/tally';

/** Times the server is stopped and started again. */
const STOPS = 3;
const CONCURRENCY = 12;
/** The stop comes this long into a stretch of normal load (uniformly drawn). */
const STOP_AFTER_MIN_MS = 2000;
const STOP_AFTER_MAX_MS = 4000;
/** How long the server stays down while requests keep coming. */
const DOWN_MS = 3000;
/** How long the service may take to serve again once the server is back (no restart). */
const RECOVERY_TIMEOUT_MS = 60_000;
const SETTLE_TIMEOUT_MS = 90_000;
/** The codes a 503 for an unreachable database may carry. */
const UNAVAILABLE_CODES = ['DATABASE_UNAVAILABLE', 'SERVICE_UNAVAILABLE'];
const KEPT_MAX = 12;

const counts = emptyCounts();
const seed = runSeed();
const rng = seededRandom(seed);
let pg: OwnPostgres;
let pool: Pool;
let service: Service;
let world: World;
let load: MoneyLoad;
let journal: string;

/** When the server was down (from the stop until a request succeeded again), epoch ms. */
const outages: { start: number; end: number | null }[] = [];
const during = (startedAt: number, endedAt: number) =>
  outages.some((o) => startedAt <= (o.end ?? Infinity) && endedAt >= o.start);

/** What requests that ran during an outage got: by status, and the wrong answers verbatim. */
const outageAnswers = new Map<string, number>();
const wrongAnswers: string[] = [];
let wrongCount = 0;
/** How long each recovery took, from the server's restart to the first request served (ms). */
const recoveries: number[] = [];

/** Judges an attempt that overlapped an outage: only a 503 in the envelope with Retry-After. */
function judge(what: string, outcome: Outcome): void {
  if (!during(outcome.startedAt, outcome.endedAt)) return;
  const a = outcome.answer;
  const label = a ? String(a.status) : 'no answer';
  outageAnswers.set(label, (outageAnswers.get(label) ?? 0) + 1);
  if (a && a.status < 300) return; // it ran before the stop reached it, or after the restart
  const retryAfter = a?.headers['retry-after'];
  const code = a?.body?.error?.code;
  if (a?.status === 503 && UNAVAILABLE_CODES.includes(code) && retryAfter !== undefined) return;
  wrongCount += 1;
  if (wrongAnswers.length < KEPT_MAX) {
    const answer = a && `${a.status} retry-after=${String(retryAfter)} ${a.text.slice(0, 300)}`;
    wrongAnswers.push(`${what} → ${answer ?? outcome.error}`);
  }
}

beforeAll(async () => {
  assertBuilt();
  process.stdout.write(`postgres-stop: FAULTS_SEED=${seed}\n`);
  pg = await OwnPostgres.create('outage');
  await pg.createDatabase('kobatela');
  pool = createPool(pg.url('kobatela'), 4);
  journal = path.join(await makeTempDir('kobatela-faults-psp-'), 'psp-simulator.jsonl');
  service = await Service.create(counts, {
    databaseUrl: pg.url('kobatela'),
    pspJournal: journal,
    env: {
      SCHEDULER_PAYMENT_RECOVERY_INTERVAL_MS: '1000',
      SCHEDULER_DEADLINE_INTERVAL_MS: '1000',
      SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS: '1000',
    },
  });
  await service.start();
  world = await createWorld(service);
  load = new MoneyLoad(service, world, rng, {
    expect503: during,
    onAttempt: (op: MoneyOp, outcome) => judge(`POST ${op.path}`, outcome),
  });
}, 300_000);

afterAll(async () => {
  reportCounts('postgres stopped', counts);
  await cleanup();
  await pool?.end();
  await pg?.destroy();
}, 120_000);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A read and `/health` while the server is down (each judged like the load's requests). */
async function probeWhileDown(): Promise<string[]> {
  const problems: string[] = [];
  const escrow = world.escrows[0]!;
  const url = `/escrows/${escrow.id}`;
  const read = await service.call('GET', url, escrow.clientKey, undefined, { expect503: during });
  judge(`GET ${url}`, read);
  const health = await service.call('GET', '/health', null);
  const h = health.answer;
  if (h?.status !== 200 || h.body?.db_ok !== false) {
    const got = health.error ?? `${h!.status} db_ok=${h!.body?.db_ok}`;
    problems.push(`/health while the database is down: ${got}`);
  }
  return problems;
}

/** One outage: stop, requests while down, start, and the time until a request is served. */
async function outage(): Promise<string[]> {
  const window = { start: Date.now(), end: null as number | null };
  outages.push(window);
  await pg.stop();
  counts.kills += 1;
  const down = Date.now();
  const problems: string[] = [];
  while (Date.now() - down < DOWN_MS) {
    problems.push(...(await probeWhileDown()));
    await pause(250);
  }
  await pg.start();
  const restarted = Date.now();
  const escrow = world.escrows[0]!;
  await waitUntil(
    'the API to serve again without a restart',
    async () => {
      const url = `/escrows/${escrow.id}/summary`;
      const options = { expect503: during };
      const res = await service.call('GET', url, escrow.clientKey, undefined, options);
      judge(`GET ${url}`, res);
      return res.answer?.status === 200 ? true : undefined;
    },
    RECOVERY_TIMEOUT_MS,
    100,
  );
  window.end = Date.now();
  recoveries.push(window.end - restarted);
  if (service.api?.exit) {
    problems.push(`the API process exited during the outage: ${JSON.stringify(service.api.exit)}`);
  }
  return problems;
}

describe('PostgreSQL stopped and restarted under load', () => {
  let lastRestart = 0;

  it('answers 503 while the database is down (never a 500), serves again unrestarted', async () => {
    const problems: string[] = [];
    const run = load.start(CONCURRENCY);
    try {
      for (let i = 0; i < STOPS; i++) {
        await pause(STOP_AFTER_MIN_MS + rng() * (STOP_AFTER_MAX_MS - STOP_AFTER_MIN_MS));
        problems.push(...(await outage()));
        lastRestart = Date.now();
      }
      await pause(STOP_AFTER_MIN_MS);
    } finally {
      await run.stop();
    }
    await load.drain(CONCURRENCY, SETTLE_TIMEOUT_MS);
    expect(service.api?.exit ?? null).toBeNull();
    // Requests did run into the outages (else this test would prove nothing).
    const ranIntoOutages = [...outageAnswers.values()].reduce((a, b) => a + b, 0);
    expect(ranIntoOutages).toBeGreaterThan(STOPS * CONCURRENCY);
    expect({ problems, wrongAnswers, wrongCount, serverErrors: service.serverErrors }).toEqual({
      problems: [],
      wrongAnswers: [],
      wrongCount: 0,
      serverErrors: [],
    });
  });

  it('catches up its projections and runs its scheduled jobs again', async () => {
    await waitProjected(pool, SETTLE_TIMEOUT_MS);
    await waitNothingPending(pool, SETTLE_TIMEOUT_MS);
    const since = lastRestart;
    const health = await waitUntil(
      'every scheduled job to run successfully after the restart of the database',
      async () => {
        const h = (await healthFindings(service)).body;
        type Job = { name: string; last_run_at: string | null; last_outcome: string | null };
        const jobs = h.scheduler?.jobs as Job[];
        const ranSince = (j: Job) => j.last_run_at !== null && Date.parse(j.last_run_at) > since;
        const ran = jobs.every((j) => ranSince(j) && j.last_outcome !== 'failed');
        return h.scheduler?.running_here && ran ? h : undefined;
      },
      SETTLE_TIMEOUT_MS,
      250,
    );
    expect(health.db_ok).toBe(true);
    const findings = await healthFindings(service);
    counts.haltedProjectors = findings.halted.length;
    expect({ halted: findings.halted, parked: findings.parked }).toEqual({ halted: [], parked: 0 });
  });

  it('each request answered 2xx took effect exactly once, and the money adds up', async () => {
    const effects = await auditEffects(pool, load.ops, world, journal);
    counts.lostEffects = effects.lost.length;
    counts.doubleEffects = effects.double.length;
    expect(effects).toEqual({ refused: [], double: [], lost: [] });
    expect(await moneyTotals(service, world, load.ops)).toEqual([]);
    expect(await ledgerProblems(pool)).toEqual([]);
    expect(await trialBalanceProblems(service, world)).toEqual([]);
  });

  it('the read models equal a fresh fold and every hash chain verifies', async () => {
    await service.stop();
    expect(await rebuildDiff(service, pool)).toEqual([]);
    expect(await verifyAll(service)).toEqual([]);
  });

  afterAll(() => {
    const replayed = load?.ops.filter((op) => op.attempts > 1).length;
    const wrong = wrongAnswers.join('\n  ');
    process.stdout.write(
      `postgres-stop: ${load?.ops.length} requests (${replayed} replayed), ` +
        `${counts.kills} stops; answers during the outages: ` +
        `${JSON.stringify(Object.fromEntries(outageAnswers))}; ` +
        `recovered in ${recoveries.join(', ')} ms after each restart\n` +
        (wrongCount ? `wrong answers while down (${wrongCount}):\n  ${wrong}\n` : '') +
        (service?.errorSummary(6) ?? ''),
    );
  });
});
