/**
 * The load generator, a process of its own (so its CPU is not the API's): undici connection
 * pools against the API. Given a JSON job on argv, it runs and prints one JSON line:
 * - `closed`: `connections` closed loops of one request kind for a warm-up then a measured window
 *   (`deposit_then_read`: a deposit, then a GET of its escrow that sends the deposit's
 *   `X-Event-Position` back as `X-Min-Event-Position`, the read-your-writes of worker mode);
 * - `rate`: an open loop offering `ratePerS` deposits for `durationMs`, recording when each answer
 *   arrived (epoch ms) and its `X-Event-Position` (projection lag);
 * - `photos`: each of `connections` workers uploads its share of the photo files and submits
 *   each as a proof, recording the answers.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Pool } from 'undici';
import { closedLoop, percentile } from '../lib/measure';

type Kind = 'deposit' | 'get_escrow' | 'deposit_then_read';

interface ClosedJob {
  mode: 'closed';
  url: string;
  kind: Kind;
  connections: number;
  warmupMs: number;
  durationMs: number;
  apiKey: string;
  escrowIds: string[];
}

interface RateJob {
  mode: 'rate';
  url: string;
  ratePerS: number;
  durationMs: number;
  apiKey: string;
  escrowIds: string[];
}

interface PhotoJob {
  mode: 'photos';
  url: string;
  connections: number;
  items: { file: string; escrowId: string; apiKey: string }[];
}

type Job = ClosedJob | RateJob | PhotoJob;

const epochNow = () => performance.timeOrigin + performance.now();

function depositRequest(job: { apiKey: string; escrowIds: string[] }, i: number) {
  const escrow = job.escrowIds[i % job.escrowIds.length]!;
  return {
    method: 'POST' as const,
    path: `/escrows/${escrow}/deposit`,
    headers: {
      'x-api-key': job.apiKey,
      'content-type': 'application/json',
      'idempotency-key': `bench-${process.pid}-${i}-${randomBytes(4).toString('hex')}`,
    },
    body: '{"amount":"1.00"}',
  };
}

/** The request of the `i`-th operation of a closed job. */
function closedRequest(job: ClosedJob, i: number) {
  if (job.kind !== 'get_escrow') return depositRequest(job, i);
  return {
    method: 'GET' as const,
    path: `/escrows/${job.escrowIds[i % job.escrowIds.length]}`,
    headers: { 'x-api-key': job.apiKey },
  };
}

/** A deposit's read-your-writes: its escrow read back with its position; the read's own time. */
async function readBack(
  pool: Pool,
  job: ClosedJob,
  i: number,
  deposit: { headers: Record<string, string | string[] | undefined> },
): Promise<{ ms: number; pending: boolean }> {
  const position = deposit.headers['x-event-position'];
  if (typeof position !== 'string') throw new Error('a deposit answered without X-Event-Position');
  const t0 = performance.now();
  const res = await pool.request({
    method: 'GET',
    path: `/escrows/${job.escrowIds[i % job.escrowIds.length]}`,
    headers: { 'x-api-key': job.apiKey, 'x-min-event-position': position },
  });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`read back: ${res.statusCode} ${text.slice(0, 200)}`);
  return { ms: performance.now() - t0, pending: res.headers['x-projection-pending'] === 'true' };
}

async function closed(job: ClosedJob) {
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1 });
  const statuses: Record<string, number> = {};
  const readsMs: number[] = [];
  let readsPending = 0;
  let counter = 0;
  const out = await closedLoop({
    workers: job.connections,
    warmupMs: job.warmupMs,
    durationMs: job.durationMs,
    op: async (_worker, _i, measured) => {
      const i = counter++;
      const res = await pool.request(closedRequest(job, i));
      const text = await res.body.text();
      const ok =
        job.kind === 'get_escrow'
          ? res.statusCode === 200
          : res.statusCode === 200 && text.includes('"CONFIRMED"');
      if (measured) statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      // A refused answer in the window is an error, as a failed request is (and a refused read
      // back); during the warm-up neither counts.
      if (ok && job.kind === 'deposit_then_read') {
        const read = await readBack(pool, job, i, res).catch((err: Error) => {
          if (measured) throw err;
          return null;
        });
        if (read && measured) {
          readsMs.push(read.ms);
          if (read.pending) readsPending++;
        }
      }
      if (!measured) return;
      if (!ok) throw new Error(`${res.statusCode} ${text.slice(0, 200)}`);
    },
  });
  await pool.close();
  return {
    ops: out.ops,
    elapsedMs: out.elapsedMs,
    p50: percentile(out.latenciesMs, 50),
    p99: percentile(out.latenciesMs, 99),
    errors: out.errors,
    firstError: out.firstError,
    statuses,
    ...(job.kind === 'deposit_then_read'
      ? {
          read_p50: percentile(readsMs, 50),
          read_p99: percentile(readsMs, 99),
          reads_pending: readsPending,
        }
      : {}),
  };
}

async function rate(job: RateJob) {
  const pool = new Pool(job.url, { connections: 64, pipelining: 1 });
  const samples: { at: number; position: string | null; latencyMs: number }[] = [];
  let errors = 0;
  let firstError: string | null = null;
  const intervalMs = 1000 / job.ratePerS;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; ; i++) {
    const due = started + i * intervalMs;
    if (due - started >= job.durationMs) break;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      (async () => {
        const t0 = performance.now();
        try {
          const res = await pool.request(depositRequest(job, i));
          const text = await res.body.text();
          if (res.statusCode !== 200) {
            errors++;
            firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
            return;
          }
          const position = res.headers['x-event-position'];
          samples.push({
            at: epochNow(),
            position: typeof position === 'string' ? position : null,
            latencyMs: performance.now() - t0,
          });
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      })(),
    );
  }
  await Promise.all(inflight);
  const elapsedMs = performance.now() - started;
  await pool.close();
  return {
    offered: inflight.length,
    answered: samples.length,
    elapsedMs,
    errors,
    firstError,
    samples,
  };
}

function multipart(bytes: Buffer): { body: Buffer; contentType: string } {
  const boundary = `----kobatela-bench-${randomBytes(8).toString('hex')}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return {
    body: Buffer.concat([
      Buffer.from(head, 'latin1'),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

async function photos(job: PhotoJob) {
  const pool = new Pool(job.url, { connections: job.connections, pipelining: 1 });
  const latencies: number[] = [];
  const outcomes: { escrowId: string; status: number; proofStatus: string | null; body: string }[] =
    [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const item = job.items[next++];
      if (!item) return;
      const { body, contentType } = multipart(await readFile(item.file));
      const t0 = performance.now();
      const up = await pool.request({
        method: 'POST',
        path: '/proofs/files',
        headers: { 'x-api-key': item.apiKey, 'content-type': contentType },
        body,
      });
      const upText = await up.body.text();
      if (up.statusCode !== 201) {
        outcomes.push({
          escrowId: item.escrowId,
          status: up.statusCode,
          proofStatus: null,
          body: upText.slice(0, 300),
        });
        continue;
      }
      const fileId = JSON.parse(upText).file_id as string;
      const res = await pool.request({
        method: 'POST',
        path: '/proofs',
        headers: { 'x-api-key': item.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({
          escrow_id: item.escrowId,
          milestone_idx: 1,
          type: 'PHOTO',
          file_id: fileId,
        }),
      });
      const text = await res.body.text();
      latencies.push(performance.now() - t0);
      let proofStatus: string | null = null;
      try {
        proofStatus = JSON.parse(text).status ?? null;
      } catch {
        proofStatus = null;
      }
      outcomes.push({
        escrowId: item.escrowId,
        status: res.statusCode,
        proofStatus,
        body: res.statusCode === 201 ? '' : text.slice(0, 300),
      });
    }
  };
  await Promise.all(Array.from({ length: job.connections }, worker));
  const elapsedMs = performance.now() - started;
  await pool.close();
  return {
    ops: latencies.length,
    elapsedMs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    outcomes,
  };
}

async function main(): Promise<void> {
  const job = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as Job;
  const result =
    job.mode === 'closed'
      ? await closed(job)
      : job.mode === 'rate'
        ? await rate(job)
        : await photos(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`load generator failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
