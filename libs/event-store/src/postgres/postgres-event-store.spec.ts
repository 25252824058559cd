/**
 * The PostgreSQL adapter against the port's contract, on a cluster of its own: the late-commit
 * test holds a transaction open, which would stall every other test's `$all` readers. The store
 * connects as the service role (INSERT and SELECT on events only); tampering, as a superuser.
 */
import { ownClusterDatabase, type TestDatabase } from '@test/test-db';
import { describeEventStoreContract } from '../contract/event-store.contract';
import { PostgresEventStore } from './postgres-event-store';

let tdb: TestDatabase;

describeEventStoreContract('postgresql', async () => {
  tdb = await ownClusterDatabase();
  const store = new PostgresEventStore(tdb.newServicePool(20));
  return {
    store,
    otherStore: () => new PostgresEventStore(tdb.newServicePool(2)),
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
});
