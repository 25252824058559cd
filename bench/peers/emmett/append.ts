/**
 * `peer.emmett.append.c8`: Emmett's PostgreSQL event store under the load of our
 * `store.append.c8` (bench/pg-store.bench.ts): 8 writers, one event per append, each writer on its
 * own 50 streams, the expected stream version known (as Emmett's command handler would have it
 * from the read before), events with the same data and metadata as ours. No projections: like
 * our store's append, the store alone. Runs in the bench process, on its own database.
 */
import { STREAM_DOES_NOT_EXIST } from '@event-driven-io/emmett';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Pool } from 'pg';
import { type BenchResult, closedLoop, rateResult } from '../../lib/measure';
import { type Timing, sampleEvent } from '../../pg-store.bench';

const WRITERS = 8;
const STREAMS_PER_WRITER = 50;
/** As many connections as our store's bench pool (bench/run.ts's runStoreBenches). */
const POOL_CONNECTIONS = 24;

export async function emmettAppend(connectionString: string, t: Timing): Promise<BenchResult> {
  const pool = new Pool({ connectionString, max: POOL_CONNECTIONS });
  const eventStore = getPostgreSQLEventStore(connectionString, { connectionOptions: { pool } });
  try {
    await eventStore.schema.migrate();
    const versions = new Map<string, bigint>();
    const out = await closedLoop({
      workers: WRITERS,
      ...t,
      op: async (w, i) => {
        const streamName = `bench-append-${w}-${i % STREAMS_PER_WRITER}`;
        const { type, data, metadata } = sampleEvent(i);
        // The same deposit-confirmed data (an object; the port types it `unknown`) and metadata.
        const event = { type, data: data as Record<string, unknown>, metadata: { ...metadata } };
        const result = await eventStore.appendToStream(streamName, [event], {
          expectedStreamVersion: versions.get(streamName) ?? STREAM_DOES_NOT_EXIST,
        });
        versions.set(streamName, result.nextExpectedStreamVersion);
      },
    });
    return rateResult('peer.emmett.append.c8', out, 'pg.insert_txn.c8');
  } finally {
    await eventStore.close();
    await pool.end();
  }
}
