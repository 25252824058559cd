/**
 * The HTTP benchmarks, against the API as a child process (inline projections) with the load from
 * a separate process:
 * - `http.deposit.c16`: `POST /escrows/{id}/deposit` with auth, validation, a fresh
 *   Idempotency-Key each, the PSP simulator confirming at once, inline projections, spread over
 *   the seeded escrows;
 * - `http.deposit.c64`: the same with 64 connections (group commit batches more of them);
 * - `http.get_escrow.c16`: `GET /escrows/{id}`;
 * - `http.proof_photo.c4`: upload and submit of generated 12-megapixel JPEGs with EXIF (each a
 *   different scene, fresh, inside the milestone's geofence); every one must come back APPROVED
 *   and its milestone payout SENT;
 * - `memory.api_rss_mb`: the API process's peak resident memory over these runs (VmHWM);
 * - then, on a second API with deferred projection writes off, the same deposits at 16
 *   connections once more, for what each projector costs per event (`http.deposit.c16`'s
 *   `projector_us_per_event`) and what deferral buys (`deposits_per_s_without_deferral`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makePhoto } from '@kob/proof-files/testing';
import { type ApiProcess, pooled, runLoad, startApi } from './lib/api-process';
import { type BenchResult, memoryOf, round } from './lib/measure';
import type { BenchContext, BenchPlan } from './lib/plan';

const KINSHASA = { lat: -4.3217, lng: 15.3125 };
const SEED_CONCURRENCY = 16;

export interface ClosedAnswer {
  ops: number;
  elapsedMs: number;
  p50: number | null;
  p99: number | null;
  errors: number;
  firstError: string | null;
  statuses: Record<string, number>;
  /** `deposit_then_read`: the read back's own time, and how many said `X-Projection-Pending`. */
  read_p50?: number | null;
  read_p99?: number | null;
  reads_pending?: number;
}

export interface Party {
  id: string;
  key: string;
}

export async function party(api: ApiProcess, name: string): Promise<Party> {
  const tag = Math.random().toString(36).slice(2, 10);
  const user = await api.call('POST', '/users', api.adminKey, {
    username: `${name}-${tag}`,
    email: `${name}-${tag}@bench.example`,
  });
  if (user.status !== 201)
    throw new Error(`create user: ${user.status} ${JSON.stringify(user.json)}`);
  const key = await api.call('POST', '/apikeys', api.adminKey, {
    name,
    scope: 'sender',
    user_id: user.json.id,
  });
  if (key.status !== 201) throw new Error(`create key: ${key.status} ${JSON.stringify(key.json)}`);
  // With projections in a worker, the key works once the worker has projected it.
  for (let i = 0; ; i++) {
    const probe = await api.call('GET', `/users/${user.json.id}`, key.json.key);
    if (probe.status === 200) break;
    if (i > 300)
      throw new Error(
        `the new key was not accepted: ${probe.status} ${JSON.stringify(probe.json)}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
  return { id: user.json.id, key: key.json.key };
}

/** Escrows of a large total (deposits never reach it), created over HTTP. */
export async function seedEscrows(
  api: ApiProcess,
  client: Party,
  provider: Party,
  n: number,
): Promise<string[]> {
  const ids: string[] = new Array(n);
  await pooled(Array.from({ length: n }), SEED_CONCURRENCY, async (_x, i) => {
    const res = await api.call('POST', '/escrows', client.key, {
      client_id: client.id,
      provider_id: provider.id,
      amount_total: '100000000000.00',
      currency: 'USD',
      release_conditions: {},
      deadline_at: '2099-12-31T00:00:00Z',
    });
    if (res.status !== 201)
      throw new Error(`create escrow: ${res.status} ${JSON.stringify(res.json)}`);
    ids[i] = res.json.id;
  });
  return ids;
}

export function closedResult(
  name: string,
  a: ClosedAnswer,
  baseline: string | null,
  extra: Record<string, number | string> = {},
): BenchResult {
  return {
    name,
    ops_per_s: round((a.ops / a.elapsedMs) * 1000, 1),
    p50_ms: round(a.p50),
    p99_ms: round(a.p99),
    value: null,
    unit: null,
    baseline,
    ratio: null,
    extra: {
      ops: a.ops,
      errors: a.errors,
      ...(a.firstError ? { first_error: a.firstError.slice(0, 200) } : {}),
      ...extra,
    },
  };
}

/**
 * What each projector cost per event it applied so far in the API process (inline mode), from
 * its /metrics: its own statements' time (projection_batch_duration_seconds, each projector's
 * part of a round plus an even share of the round's checkpoint update and commit) over its
 * events. Costliest first, in microseconds: `name µs, …`. With deferred writes (the default) a
 * write's time in PostgreSQL is met by the round's next statement that waits (usually the
 * ledger's first read), so only an API with them off tells the projectors' costs apart.
 */
async function projectorCosts(api: ApiProcess): Promise<string> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const read = (metric: string) => {
    const values = new Map<string, number>();
    const line = new RegExp(`^${metric}\\{projector="([^"]+)"\\} ([0-9.e+-]+)$`, 'gm');
    for (const m of text.matchAll(line)) values.set(m[1]!, Number(m[2]));
    return values;
  };
  const seconds = read('projection_batch_duration_seconds_sum');
  const events = read('projection_events_total');
  return [...seconds]
    .filter(([name]) => (events.get(name) ?? 0) > 0)
    .map(([name, s]) => [name, (s * 1e6) / events.get(name)!] as const)
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => `${name} ${Math.round(us)}`)
    .join(', ');
}

/** One funded escrow per photo with a geofenced PHOTO milestone, each for its own provider. */
async function photoEscrows(
  api: ApiProcess,
  client: Party,
  n: number,
): Promise<{ escrowId: string; provider: Party }[]> {
  const out: { escrowId: string; provider: Party }[] = new Array(n);
  await pooled(Array.from({ length: n }), 4, async (_x, i) => {
    const provider = await party(api, `photographer${i}`);
    const created = await api.call('POST', '/escrows', client.key, {
      client_id: client.id,
      provider_id: provider.id,
      amount_total: '10.00',
      currency: 'USD',
      release_conditions: {},
      deadline_at: '2099-12-31T00:00:00Z',
    });
    const escrowId = created.json.id as string;
    const milestone = await api.call('POST', `/escrows/${escrowId}/milestones`, client.key, {
      label: 'Site photo',
      amount: '10.00',
      currency: 'USD',
      sequence_index: 1,
      proof_kind: 'PHOTO',
      geofence_lat: KINSHASA.lat,
      geofence_lng: KINSHASA.lng,
      geofence_radius_m: 200,
    });
    if (milestone.status !== 201)
      throw new Error(`milestone: ${milestone.status} ${JSON.stringify(milestone.json)}`);
    const deposit = await api.call(
      'POST',
      `/escrows/${escrowId}/deposit`,
      client.key,
      { amount: '10.00' },
      { 'idempotency-key': `photo-dep-${i}` },
    );
    if (deposit.status !== 200)
      throw new Error(`deposit: ${deposit.status} ${JSON.stringify(deposit.json)}`);
    out[i] = { escrowId, provider };
  });
  return out;
}

/** A closed load of `connections` clients (16 unless told) on one kind of request. */
export function closedLoad(
  api: ApiProcess,
  dir: string,
  kind: 'deposit' | 'get_escrow' | 'deposit_then_read',
  timing: BenchPlan['httpTiming'],
  apiKey: string,
  escrowIds: string[],
  connections = 16,
): Promise<ClosedAnswer> {
  return runLoad<ClosedAnswer>(
    { mode: 'closed', url: api.url, kind, connections, ...timing, apiKey, escrowIds },
    dir,
  );
}

interface PhotoItem {
  file: string;
  escrowId: string;
  apiKey: string;
}

interface PhotoAnswer {
  ops: number;
  elapsedMs: number;
  p50: number | null;
  p99: number | null;
  outcomes: { escrowId: string; status: number; proofStatus: string | null; body: string }[];
}

/** Fresh 12-megapixel photos inside the geofence, one per escrow. */
async function writePhotos(
  dir: string,
  targets: { escrowId: string; provider: Party }[],
): Promise<PhotoItem[]> {
  const photoDir = path.join(dir, 'photos');
  await mkdir(photoDir, { recursive: true });
  const items: PhotoItem[] = [];
  for (const [i, t] of targets.entries()) {
    const bytes = await makePhoto({
      scene: 1_000 + i * 37,
      width: 4000,
      height: 3000,
      gps: KINSHASA,
      gpsTime: new Date(Date.now() - 60_000),
    });
    const file = path.join(photoDir, `photo-${i}.jpg`);
    await writeFile(file, bytes);
    items.push({ file, escrowId: t.escrowId, apiKey: t.provider.key });
  }
  return items;
}

/** How many milestones the photos paid (first milestone PAID, payout SENT). */
async function paidCount(
  api: ApiProcess,
  client: Party,
  targets: { escrowId: string }[],
): Promise<number> {
  let paid = 0;
  for (const t of targets) {
    const summary = await api.call('GET', `/escrows/${t.escrowId}/summary`, client.key);
    const payout = (summary.json.payments as { kind: string; status: string }[]).find(
      (x) => x.kind === 'payout',
    );
    if (summary.json.milestones[0]?.status === 'PAID' && payout?.status === 'SENT') paid++;
  }
  return paid;
}

async function photoBench(
  api: ApiProcess,
  client: Party,
  { dir, plan: p, log }: BenchContext,
): Promise<BenchResult> {
  log(`http.proof_photo.c4: generating ${p.photos} photos of 12 megapixels`);
  const targets = await photoEscrows(api, client, p.photos);
  const items = await writePhotos(dir, targets);
  log('http.proof_photo.c4: uploading and submitting');
  const photos = await runLoad<PhotoAnswer>(
    { mode: 'photos', url: api.url, connections: 4, items },
    dir,
  );
  const paid = await paidCount(api, client, targets);
  const approved = photos.outcomes.filter(
    (o) => o.status === 201 && o.proofStatus === 'APPROVED',
  ).length;
  const refused = photos.outcomes.find((o) => o.status !== 201 || o.proofStatus !== 'APPROVED');
  return {
    name: 'http.proof_photo.c4',
    ops_per_s: round((photos.ops / photos.elapsedMs) * 1000, 2),
    p50_ms: round(photos.p50),
    p99_ms: round(photos.p99),
    value: null,
    unit: null,
    baseline: null,
    ratio: null,
    extra: {
      photos: items.length,
      approved,
      paid,
      all_approved_and_paid: approved === items.length && paid === items.length,
      ...(refused
        ? {
            first_refusal: `${refused.status} ${refused.proofStatus} ${refused.body}`.slice(0, 200),
          }
        : {}),
    },
  };
}

type Memory = Awaited<ReturnType<typeof memoryOf>>;

function memoryResult(memory: Memory, afterDeposits: Memory, afterGets: Memory): BenchResult {
  return {
    name: 'memory.api_rss_mb',
    ops_per_s: null,
    p50_ms: null,
    p99_ms: null,
    value: memory?.peakMb ?? null,
    unit: 'MB',
    baseline: null,
    ratio: null,
    extra: {
      peak_after_deposits_mb: afterDeposits?.peakMb ?? 'n/a',
      peak_after_gets_mb: afterGets?.peakMb ?? 'n/a',
      rss_now_mb: memory?.rssMb ?? 'n/a',
      measured: 'VmHWM of the API process over the HTTP runs (photos last)',
    },
  };
}

export async function runHttpBenches(bench: BenchContext): Promise<BenchResult[]> {
  const { admin, dir, plan: p, log } = bench;
  const api = await startApi({
    admin,
    database: 'bench_api',
    dataDir: path.join(dir, 'api-data'),
    mode: 'inline',
    log,
  });
  const results: BenchResult[] = [];
  try {
    const client = await party(api, 'client');
    const provider = await party(api, 'provider');
    log(`seeding ${p.escrows} escrows`);
    const escrowIds = await seedEscrows(api, client, provider, p.escrows);

    log('http.deposit.c16');
    const deposits = await closedLoad(api, dir, 'deposit', p.httpTiming, client.key, escrowIds);
    results.push(
      closedResult('http.deposit.c16', deposits, 'pg.insert_txn.c8', {
        escrows: escrowIds.length,
        projector_us_per_event: await projectorCosts(api),
      }),
    );

    log('http.deposit.c64');
    const deposits64 = await closedLoad(
      api,
      dir,
      'deposit',
      p.httpTiming,
      client.key,
      escrowIds,
      64,
    );
    results.push(closedResult('http.deposit.c64', deposits64, 'pg.insert_txn.c8'));
    const afterDeposits = await memoryOf(api.pid);

    log('http.get_escrow.c16');
    const gets = await closedLoad(api, dir, 'get_escrow', p.httpTiming, client.key, escrowIds);
    results.push(closedResult('http.get_escrow.c16', gets, null));
    const afterGets = await memoryOf(api.pid);

    results.push(await photoBench(api, client, bench));
    results.push(memoryResult(await memoryOf(api.pid), afterDeposits, afterGets));
  } finally {
    await api.stop();
  }
  const c16 = results.find((r) => r.name === 'http.deposit.c16');
  if (c16?.extra) {
    log('http.deposit.c16 again, deferred projection writes off: what each projector costs');
    const apart = await withoutDeferral(bench);
    c16.extra.projector_us_per_event_deferred = c16.extra.projector_us_per_event!;
    c16.extra.projector_us_per_event = apart.costs;
    c16.extra.deposits_per_s_without_deferral = apart.depositsPerS ?? 'n/a';
  }
  return results;
}

/**
 * `http.deposit.c16` on a fresh API with PROJECTION_DEFERRED_WRITES=false: each projector waits
 * for its own writes there, so its time per event includes what PostgreSQL spends on them.
 */
async function withoutDeferral({
  admin,
  dir,
  plan: p,
  log,
}: BenchContext): Promise<{ costs: string; depositsPerS: number | null }> {
  const api = await startApi({
    admin,
    database: 'bench_api_undeferred',
    dataDir: path.join(dir, 'api-undeferred-data'),
    mode: 'inline',
    log,
    env: { PROJECTION_DEFERRED_WRITES: 'false' },
  });
  try {
    const client = await party(api, 'client');
    const provider = await party(api, 'provider');
    const escrowIds = await seedEscrows(api, client, provider, p.escrows);
    const run = await closedLoad(api, dir, 'deposit', p.httpTiming, client.key, escrowIds);
    return {
      costs: await projectorCosts(api),
      depositsPerS: round((run.ops / run.elapsedMs) * 1000, 1),
    };
  } finally {
    await api.stop();
  }
}
