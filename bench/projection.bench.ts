/**
 * The projection benchmarks:
 * - `projection.rebuild`: every read model rebuilt from `$all` holding N events (200,000; 20,000
 *   with --quick), seeded in batches of 100 through the event store: escrows going through the
 *   real escrow decider (created, two milestones, a confirmed deposit, funded, the first
 *   milestone released and its payout sent), 10 events each. ops_per_s = events / wall time of
 *   rebuilding all projectors; peak memory of the rebuilding process in `extra`.
 * - `projection.lag_ms`: the API with projections in a worker process, 300 deposits/s offered by
 *   the load generator; for each answer, the time from the answer to the moment every projector's
 *   checkpoint has passed its `X-Event-Position` (checkpoints polled every 2 ms).
 * - `http.read_your_writes.worker.c16`: on the same worker-mode API, 16 connections each making a
 *   deposit, then reading its escrow back with the deposit's position (`X-Min-Event-Position`), so
 *   the read waits until the worker has projected it; ops_per_s = pairs per second, p50/p99 of
 *   the pair, the read's own wait in `extra`.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Pool } from 'pg';
import { escrowDecider, type EscrowCommand, type EscrowEvent, type EscrowState } from '@kob/domain';
import {
  type Position,
  PostgresEventStore,
  type StreamAppend,
  comparePositions,
  decodePosition,
  systemAppendMetadata,
} from '@kob/event-store';
import { createPool } from '@kob/postgres';
import { databaseUrl, imageEnvironment, pooled, runLoad, startApi } from './lib/api-process';
import { migratedDatabase } from './lib/databases';
import { type BenchResult, percentile, round } from './lib/measure';
import { closedLoad, closedResult, party, seedEscrows } from './http.bench';
import type { BenchContext, BenchLog, BenchPlan } from './lib/plan';

const DIST = path.resolve(__dirname, '..');
const EVENTS_PER_ESCROW = 10;

/** Creation, two milestones and the deposit that funds them. */
function fundingCommands(
  escrowId: string,
  clientId: string,
  providerId: string,
  firstMilestoneId: string,
  now: string,
): EscrowCommand[] {
  const milestone = (milestoneId: string, label: string, amount: string, sequenceIndex: number) =>
    ({
      type: 'AddMilestone',
      escrowId,
      milestoneId,
      label,
      amount,
      currency: 'USD',
      sequenceIndex,
      now,
    }) as const;
  return [
    {
      type: 'CreateEscrow',
      escrowId,
      clientId,
      providerId,
      amountTotal: '100.00',
      currency: 'USD',
      scale: 2,
      releaseConditions: {},
      deadlineAt: '2099-12-31T00:00:00Z',
      now,
    },
    milestone(firstMilestoneId, 'First', '40.00', 1),
    milestone(randomUUID(), 'Second', '60.00', 2),
    {
      type: 'Deposit',
      escrowId,
      depositId: randomUUID(),
      amount: '100.00',
      pspConfirmed: {
        pspRef: `sim-${randomUUID()}`,
        reported: { amount: '100.00', currency: 'USD' },
      },
      refundPaymentId: randomUUID(),
      now,
    },
  ];
}

/** The first milestone released and its payout sent. */
function payoutCommands(escrowId: string, milestoneId: string, now: string): EscrowCommand[] {
  const paymentId = randomUUID();
  return [
    { type: 'ApproveAndPayMilestone', escrowId, milestoneId, paymentId, source: 'release', now },
    { type: 'RecordPaymentSent', escrowId, paymentId, pspRef: `sim-${randomUUID()}`, now },
  ];
}

/** One escrow's life through the decider: 10 events. */
export function escrowLife(
  clientId: string,
  providerId: string,
): { escrowId: string; events: EscrowEvent[] } {
  const escrowId = randomUUID();
  const now = new Date().toISOString();
  const m1 = randomUUID();
  let state: EscrowState = escrowDecider.initialState();
  const events: EscrowEvent[] = [];
  for (const c of [
    ...fundingCommands(escrowId, clientId, providerId, m1, now),
    ...payoutCommands(escrowId, m1, now),
  ])
    for (const e of escrowDecider.decide(c, state)) {
      state = escrowDecider.evolve(state, e);
      events.push(e);
    }
  if (events.length !== EVENTS_PER_ESCROW)
    throw new Error(`an escrow's life made ${events.length} events, not ${EVENTS_PER_ESCROW}`);
  return { escrowId, events };
}

async function seed(store: PostgresEventStore, total: number, log: BenchLog): Promise<number> {
  const clientId = randomUUID();
  const providerId = randomUUID();
  const batches = Math.ceil(total / 100);
  let appended = 0;
  await pooled(Array.from({ length: batches }), 4, async () => {
    const appends: StreamAppend[] = [];
    for (let k = 0; k < 100 / EVENTS_PER_ESCROW; k++) {
      const { escrowId, events } = escrowLife(clientId, providerId);
      const m = systemAppendMetadata('system:cli');
      appends.push({
        streamId: `escrow-${escrowId}`,
        expectedRevision: 'no_stream',
        events: events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: m })),
      });
    }
    await store.appendMulti(appends);
    appended += 100;
    if (appended % 50_000 === 0) log(`seeded ${appended} events`);
  });
  return appended;
}

async function rebuild({ admin, dir, plan: p, log }: BenchContext): Promise<BenchResult> {
  const { pool, db } = await migratedDatabase(admin, 'bench_rebuild', 8);
  const store = new PostgresEventStore(pool);
  log(`projection.rebuild: seeding ${p.rebuildEvents} events`);
  const seeded = await seed(store, p.rebuildEvents, log);
  await pool.query('ANALYZE');
  await store.close();
  await db.destroy();
  log('projection.rebuild: rebuilding every read model');
  const env = {
    ...imageEnvironment(),
    ...process.env,
    APP_ENV: 'production',
    DATABASE_URL: databaseUrl(admin, 'bench_rebuild'),
    DATA_DIR: path.join(dir, 'rebuild-data'),
    API_KEY_SECRET: randomUUID() + randomUUID(),
    LOG_LEVEL: 'warn',
  };
  const child = spawn(
    process.execPath,
    [path.join(DIST, 'bench', 'children', 'rebuild.child.js')],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`rebuild child failed (${code}): ${err}`);
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    elapsedMs: number;
    events: number;
    projectors: number;
    peakRssMb: number;
  };
  return {
    name: 'projection.rebuild',
    ops_per_s: round((seeded / r.elapsedMs) * 1000, 1),
    p50_ms: null,
    p99_ms: null,
    value: round(r.elapsedMs / 1000, 2),
    unit: 's',
    baseline: 'pg.insert_batch100.c4',
    ratio: null,
    extra: {
      events: seeded,
      applied: r.events,
      projectors: r.projectors,
      peak_rss_mb: round(r.peakRssMb, 1)!,
    },
  };
}

interface RateAnswer {
  offered: number;
  answered: number;
  elapsedMs: number;
  errors: number;
  firstError: string | null;
  samples: { at: number; position: string | null; latencyMs: number }[];
}

interface CheckpointPoll {
  at: number;
  min: Position;
}

/** The checkpoints over time: the oldest projector's, every 2 ms while the load runs. */
function pollCheckpoints(pool: Pool): { polls: CheckpointPoll[]; stop: () => Promise<void> } {
  const polls: CheckpointPoll[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const res = await pool.query<{ tx: string; pos: string }>(
        'SELECT checkpoint_tx::text AS tx, checkpoint_pos::text AS pos FROM projection_checkpoints',
      );
      const at = performance.timeOrigin + performance.now();
      const positions = res.rows.map((r) => ({ tx: BigInt(r.tx), pos: BigInt(r.pos) }));
      if (positions.length)
        polls.push({ at, min: positions.reduce((a, b) => (comparePositions(a, b) <= 0 ? a : b)) });
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    polls,
    stop: async () => {
      polling = false;
      await poller;
    },
  };
}

function answeredPositions(load: RateAnswer): { at: number; position: Position }[] {
  return load.samples
    .map((s) => ({ at: s.at, position: s.position ? decodePosition(s.position) : null }))
    .filter((s): s is { at: number; position: Position } => s.position !== null)
    .sort((a, b) => a.at - b.at);
}

/** Waits (at most 10 s) until the oldest checkpoint covers the last answered position. */
async function settle(polls: CheckpointPoll[], answered: { position: Position }[]): Promise<void> {
  const settleBy = Date.now() + 10_000;
  const maxPos = answered.reduce<Position | null>(
    (a, { position: b }) => (a === null || comparePositions(b, a) > 0 ? b : a),
    null,
  );
  while (
    Date.now() < settleBy &&
    maxPos &&
    !(polls.length && comparePositions(polls[polls.length - 1]!.min, maxPos) >= 0)
  )
    await new Promise((r) => setTimeout(r, 20));
}

/** For each answer, the time until the first poll whose checkpoint covers its position. */
function lagsOf(
  answered: { at: number; position: Position }[],
  polls: CheckpointPoll[],
): { lags: number[]; unseen: number } {
  const lags: number[] = [];
  let unseen = 0;
  let k = 0;
  for (const s of answered) {
    while (k < polls.length && polls[k]!.at < s.at) k++;
    let j = k;
    while (j < polls.length && comparePositions(polls[j]!.min, s.position) < 0) j++;
    if (j >= polls.length) unseen++;
    else lags.push(Math.max(0, polls[j]!.at - s.at));
  }
  return { lags, unseen };
}

/** Of the API's capacity, the share the lag run offers: a rate it sustains, not a queue. */
const SUSTAINABLE_SHARE = 0.8;
/** Answered over offered at or above this: the rate was sustained. */
const SUSTAINED_RATIO_MIN = 0.98;

/** The rate the lag run offers: the target, or less when the API cannot sustain the target. */
interface OfferedRate {
  target: number;
  capacity: number;
  offered: number;
}

function lagResult(
  load: RateAnswer,
  { lags, unseen }: { lags: number[]; unseen: number },
  rate: OfferedRate,
): BenchResult {
  const sustainedPerS = (load.answered / load.elapsedMs) * 1000;
  return {
    name: 'projection.lag_ms',
    ops_per_s: round(sustainedPerS, 1),
    p50_ms: round(percentile(lags, 50)),
    p99_ms: round(percentile(lags, 99)),
    value: round(percentile(lags, 99)),
    unit: 'ms (p99 lag)',
    baseline: null,
    ratio: null,
    extra: {
      target_per_s: rate.target,
      capacity_per_s: round(rate.capacity, 1)!,
      offered_per_s: rate.offered,
      sustained_per_s: round(sustainedPerS, 1)!,
      sustained: String(load.answered >= SUSTAINED_RATIO_MIN * load.offered && load.errors === 0),
      offered: load.offered,
      answered: load.answered,
      errors: load.errors,
      never_seen: unseen,
      http_p99_ms: round(
        percentile(
          load.samples.map((s) => s.latencyMs),
          99,
        ),
      )!,
      ...(load.firstError ? { first_error: load.firstError.slice(0, 200) } : {}),
    },
  };
}

async function lag({ admin, dir, plan: p, log }: BenchContext): Promise<BenchResult[]> {
  const api = await startApi({
    admin,
    database: 'bench_lag',
    dataDir: path.join(dir, 'lag-data'),
    mode: 'worker',
    log,
  });
  const pool = createPool({ ...admin, database: 'bench_lag' }, 2);
  try {
    const client = await party(api, 'client');
    const provider = await party(api, 'provider');
    const escrowIds = await seedEscrows(api, client, provider, 200);
    // The lag of a queue says nothing: offer the target only if the API sustains it, else the
    // share of its measured capacity it does (what it sustained is reported either way).
    const calibration = await closedLoad(
      api,
      dir,
      'deposit',
      p.lagCalibration,
      client.key,
      escrowIds,
    );
    const capacity = (calibration.ops / calibration.elapsedMs) * 1000;
    const rate: OfferedRate = {
      target: p.lagOfferedPerS,
      capacity,
      offered: Math.max(1, Math.min(p.lagOfferedPerS, Math.floor(capacity * SUSTAINABLE_SHARE))),
    };
    const checkpoints = pollCheckpoints(pool);
    log(
      `projection.lag_ms: ${rate.offered} deposits/s for ${p.lagDurationMs / 1000} s (worker mode; target ${rate.target}/s, capacity ${Math.round(capacity)}/s)`,
    );
    const load = await runLoad<RateAnswer>(
      {
        mode: 'rate',
        url: api.url,
        ratePerS: rate.offered,
        durationMs: p.lagDurationMs,
        apiKey: client.key,
        escrowIds,
      },
      dir,
    );
    const answered = answeredPositions(load);
    await settle(checkpoints.polls, answered);
    await checkpoints.stop();
    const lagged = lagResult(load, lagsOf(answered, checkpoints.polls), rate);
    log('http.read_your_writes.worker.c16');
    const pairs = await closedLoad(
      api,
      dir,
      'deposit_then_read',
      p.httpTiming,
      client.key,
      escrowIds,
    );
    return [
      lagged,
      closedResult('http.read_your_writes.worker.c16', pairs, null, {
        read_p50_ms: round(pairs.read_p50 ?? null) ?? 'n/a',
        read_p99_ms: round(pairs.read_p99 ?? null) ?? 'n/a',
        reads_pending: pairs.reads_pending ?? 'n/a',
      }),
    ];
  } finally {
    await pool.end();
    await api.stop();
  }
}

export async function runProjectionBenches(bench: BenchContext): Promise<BenchResult[]> {
  return [await rebuild(bench), ...(await lag(bench))];
}
