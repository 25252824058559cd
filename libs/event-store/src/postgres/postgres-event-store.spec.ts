/**
 * The PostgreSQL adapter against the port's contract, on a cluster of its own: the late-commit
 * test holds a transaction open, which would stall every other test's `$all` readers. The store
 * connects as the service role (INSERT and SELECT on events only); tampering, as a superuser.
 */
import { ownClusterDatabase, testDatabase, type TestDatabase } from '@test/test-db';
import { type ContractHarness, describeEventStoreContract } from '../contract/event-store.contract';
import { PostgresEventStore, type PostgresEventStoreOptions } from './postgres-event-store';

/** The contract's harness on a cluster of its own, with the store's options. */
function harnessWith(options: PostgresEventStoreOptions) {
  return async (): Promise<ContractHarness> => {
    const tdb = await ownClusterDatabase();
    const store = new PostgresEventStore(tdb.newServicePool(20), options);
    return {
      store,
      otherStore: () => new PostgresEventStore(tdb.newServicePool(2), options),
      holdOpenAppend: (append) => store.beginHeldAppend(append),
      tamper: async (streamId, revision, data) => {
        const client = await tdb.pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('SET LOCAL session_replication_role = replica');
          await client.query('UPDATE events SET data = $3 WHERE stream_id = $1 AND revision = $2', [
            streamId,
            revision.toString(),
            JSON.stringify(data),
          ]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
      },
      close: () => tdb.close(),
    };
  };
}

// Group commit on (the default) and off: both paths keep the whole contract.
describeEventStoreContract('postgresql', harnessWith({}));
describeEventStoreContract('postgresql without group commit', harnessWith({ groupCommit: false }));

describe('connection probe (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(() => db.close());

  it('reads a pool with no free connection as deadline, and a closed pool as unavailable', async () => {
    const pool = db.newServicePool(1);
    const store = new PostgresEventStore(pool);
    expect((await store.connection(2000)).state).toBe('connected');
    const held = await pool.connect();
    try {
      expect(await store.connection(150)).toMatchObject({ state: 'deadline', latencyMs: null });
    } finally {
      held.release();
    }
    await pool.end();
    const closed = await store.connection(2000);
    expect(closed).toMatchObject({ state: 'unavailable', latencyMs: null });
    expect(closed.detail).toMatch(/pool/i);
  });
});
