/**
 * The database's own limit and the event store on top of it:
 * - `pg.insert_txn.c8`: 8 connections, each `BEGIN; INSERT one row; COMMIT` into `bench_events`,
 *   a table with exactly the events table's columns, indexes and constraints (`LIKE events
 *   INCLUDING ALL`), rows shaped like real events;
 * - `pg.insert_batch100.c4`: 4 connections, 100 rows per transaction (ops = rows);
 * - `store.append.c8`, `store.append.c64`: 8 or 64 writers through the event-store port, one
 *   event per append, each writer on its own streams (the expected revision and head hash known,
 *   as the command runner's cache knows them), the store's group commit on (its batches in
 *   `extra`); `store.append_alone.c64`: the same 64 writers with group commit off;
 * - `store.append_same_stream.c8`: 8 writers on one stream, each appending at the revision it
 *   last saw and, on a conflict, reading the head and trying again; conflicts in `extra`.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  type AppendMetadata,
  type NewEvent,
  PostgresEventStore,
  WrongExpectedRevisionError,
  systemAppendMetadata,
} from '@kob/event-store';
import { type BenchResult, closedLoop, rateResult, round } from './lib/measure';

export interface Timing {
  warmupMs: number;
  durationMs: number;
}

/** Data and metadata the size and shape of a confirmed deposit's. */
export function sampleEvent(i: number): NewEvent {
  const id = randomUUID();
  const metadata: AppendMetadata = {
    actor: {
      kind: 'api_key',
      keyId: 'b6f7c3de-4b51-4a7c-9e7e-2f1d1f0d9a11',
      keyPrefix: 'koba_bench1',
      scope: 'sender',
      userId: '5d3b5e0e-6f0e-4a55-8a45-3c5d2f1e9b22',
    },
    commandId: id,
    correlationId: `req-${i}`,
    causationId: `req-${i}`,
    occurredAt: new Date().toISOString(),
    idempotencyKey: `bench-${i}`,
    idempotencyScope: 'user:5d3b5e0e-6f0e-4a55-8a45-3c5d2f1e9b22|POST /escrows/x/deposit',
    requestHash: 'a'.repeat(64),
  };
  return {
    id,
    type: 'escrow.deposit_confirmed.v1',
    data: {
      escrowId: 'e0b1d1a0-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      depositId: id,
      amount: '10.00',
      currency: 'USD',
      pspRef: `sim-${id}`,
      afterClose: false,
      heldAfter: '10.00',
      confirmedAt: new Date().toISOString(),
    },
    metadata,
  };
}

export async function createBenchTable(pool: Pool): Promise<void> {
  await pool.query('DROP TABLE IF EXISTS bench_events');
  await pool.query('CREATE TABLE bench_events (LIKE events INCLUDING ALL)');
}

function rowOf(e: NewEvent, streamId: string, revision: number) {
  const metadata = { ...e.metadata, prevHash: 'p'.repeat(64), hash: 'h'.repeat(64) };
  return [
    e.id,
    streamId,
    revision,
    e.type,
    JSON.stringify(e.data),
    JSON.stringify(metadata),
  ] as const;
}

export async function pgInsertTxn(pool: Pool, t: Timing): Promise<BenchResult> {
  const clients = await Promise.all(Array.from({ length: 8 }, () => pool.connect()));
  try {
    const out = await closedLoop({
      workers: 8,
      ...t,
      op: async (w, i) => {
        const c = clients[w]!;
        await c.query('BEGIN');
        await c.query(
          'INSERT INTO bench_events (event_id, stream_id, revision, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)',
          rowOf(sampleEvent(i), `txn-${w}-${i}`, 0) as unknown as unknown[],
        );
        await c.query('COMMIT');
      },
    });
    return rateResult('pg.insert_txn.c8', out, null, { unit_of_op: 'transaction of 1 row' });
  } finally {
    for (const c of clients) c.release();
  }
}

export async function pgInsertBatch100(pool: Pool, t: Timing): Promise<BenchResult> {
  const clients = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
  let batch = 0;
  try {
    const out = await closedLoop({
      workers: 4,
      ...t,
      op: async (w) => {
        const c = clients[w]!;
        const b = batch++;
        const rows = Array.from({ length: 100 }, (_x, k) =>
          rowOf(sampleEvent(k), `batch-${w}-${b}`, k),
        );
        await c.query('BEGIN');
        await c.query(
          `INSERT INTO bench_events (event_id, stream_id, revision, type, data, metadata)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[], $6::jsonb[])`,
          [0, 1, 2, 3, 4, 5].map((col) => rows.map((r) => r[col])),
        );
        await c.query('COMMIT');
        return 100;
      },
    });
    return rateResult('pg.insert_batch100.c4', out, null, {
      unit_of_op: 'row (100 per transaction)',
    });
  } finally {
    for (const c of clients) c.release();
  }
}

/**
 * `writers` writers through the port, each on its own streams; `name` says whether the store
 * batches (group commit) or not. The batcher's counts over the run go in `extra`.
 */
export async function storeAppend(
  store: PostgresEventStore,
  t: Timing,
  writers: number,
  name = `store.append.c${writers}`,
): Promise<BenchResult> {
  const STREAMS_PER_WRITER = 50;
  const heads = new Map<string, { revision: bigint; headHash: string }>();
  const run = randomUUID().slice(0, 8);
  const before = store.batcher ? { ...store.batcher.stats } : null;
  const out = await closedLoop({
    workers: writers,
    ...t,
    op: async (w, i) => {
      const streamId = `bench-append-${run}-${w}-${i % STREAMS_PER_WRITER}`;
      const head = heads.get(streamId);
      const result = await store.appendToStream(streamId, [sampleEvent(i)], {
        expectedRevision: head ? head.revision : 'no_stream',
        ...(head ? { expectedHeadHash: head.headHash } : {}),
      });
      heads.set(streamId, { revision: result.nextRevision, headHash: result.headHash });
    },
  });
  const after = store.batcher?.stats;
  const batching: Record<string, number | boolean> =
    before && after
      ? {
          batches: after.batches - before.batches,
          commands_per_batch: round(
            (after.commands - before.commands) / Math.max(1, after.batches - before.batches),
            1,
          )!,
          largest_batch: after.largest,
          fallbacks: after.fallbacks - before.fallbacks,
        }
      : { group_commit: false };
  return rateResult(name, out, 'pg.insert_txn.c8', batching);
}

export async function storeAppendSameStream(
  store: PostgresEventStore,
  t: Timing,
): Promise<BenchResult> {
  const streamId = `bench-same-${randomUUID()}`;
  await store.appendToStream(
    streamId,
    [{ ...sampleEvent(0), metadata: systemAppendMetadata('system:cli') }],
    {
      expectedRevision: 'no_stream',
    },
  );
  let conflicts = 0;
  let retriesMax = 0;
  const known = Array.from({ length: 8 }, () => ({
    revision: 0n,
    headHash: '' as string | undefined,
  }));
  const out = await closedLoop({
    workers: 8,
    ...t,
    op: async (w, i) => {
      for (let attempt = 1; ; attempt++) {
        const k = known[w]!;
        try {
          const r = await store.appendToStream(streamId, [sampleEvent(i)], {
            expectedRevision: k.revision,
            ...(k.headHash ? { expectedHeadHash: k.headHash } : {}),
          });
          known[w] = { revision: r.nextRevision, headHash: r.headHash };
          retriesMax = Math.max(retriesMax, attempt - 1);
          return;
        } catch (err) {
          if (!(err instanceof WrongExpectedRevisionError)) throw err;
          conflicts++;
          const head = await store.streamHead(streamId);
          known[w] = { revision: head!.revision, headHash: head!.headHash };
        }
      }
    },
  });
  return rateResult('store.append_same_stream.c8', out, 'pg.insert_txn.c8', {
    conflicts,
    retries_max: retriesMax,
  });
}
