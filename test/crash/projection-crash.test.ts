/**
 * A projector killed with SIGKILL in the middle of a batch (batches > 1, at event k) and
 * restarted must leave its additive read model exactly equal to the fold of the events: the
 * read-model writes and the checkpoint commit together or not at all.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@kob/event-store';
import { ev } from '@kob/event-store/testing';
import { testDatabase, type TestDatabase } from '../support/test-db';
import { distFile, runChild } from '../support/child';

const CHILD = 'test/children/projector-crash.child.js';
let tdb: TestDatabase;

beforeAll(async () => {
  tdb = await testDatabase();
});
afterAll(() => tdb.close());

describe('projection crash recovery', () => {
  it('equals the fold of the events after a SIGKILL at event k and a restart', async () => {
    const store = new PostgresEventStore(tdb.pool);
    const n = 1200;
    const types = ['crash.a.v1', 'crash.b.v1', 'crash.c.v1'];
    for (let s = 0; s < n / 10; s++) {
      const events = Array.from({ length: 10 }, (_, i) => ev(types[(s + i) % 3]!));
      await store.appendToStream(`crash${s % 4}-${randomUUID()}`, events, {
        expectedRevision: 'no_stream',
      });
    }
    const env = { DATABASE_URL: tdb.serviceUrl, PROJECTION_BATCH_SIZE: '100' };
    const k = 537;
    const crashed = await runChild(distFile(CHILD), { ...env, CRASH_AT_EVENT: String(k) });
    expect(crashed.signal).toBe('SIGKILL');
    const mid = await tdb.pool.query(
      `SELECT events_applied::int AS n FROM projection_checkpoints WHERE name = 'event_stats'`,
    );
    // Batches of 100: the five whole batches before event 537 committed, the sixth did not.
    expect(mid.rows[0].n).toBe(500);
    const partial = await tdb.pool.query(
      `SELECT coalesce(sum(events), 0)::int AS n FROM event_stats`,
    );
    expect(partial.rows[0].n).toBe(500);
    const restarted = await runChild(distFile(CHILD), env);
    expect(restarted.code).toBe(0);
    expect(JSON.parse(restarted.stdout).applied).toBe(n - 500);
    const fold = await tdb.pool.query(
      `SELECT split_part(stream_id, '-', 1) AS category, type, count(*)::int AS n FROM events GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const projected = await tdb.pool.query(
      `SELECT category, type, events::int AS n FROM event_stats ORDER BY 1, 2`,
    );
    expect(projected.rows).toEqual(fold.rows);
    expect(projected.rows.reduce((s, r) => s + r.n, 0)).toBe(n);
  });
});
