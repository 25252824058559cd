import { Pool } from 'pg';
import { ConfigError, loadConfig } from '@kob/config';
import { EventStoreDbEventStore, PostgresEventStore } from '@kob/event-store';
import { openEventStore } from './event-store-choice';

const onEventStoreDb = () =>
  loadConfig({
    APP_ENV: 'test',
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
  });

describe('the event store a process opens', () => {
  it('needs a connection string for EventStoreDB, naming the variable', () => {
    const open = () =>
      openEventStore(
        { eventStore: 'eventstoredb', eventStoreConnectionString: null, projectionsMode: 'inline' },
        new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' }),
      );
    expect(open).toThrow(ConfigError);
    expect(open).toThrow(/EVENTSTORE_CONNECTION_STRING/);
  });

  it('opens the store the configuration names', async () => {
    // Neither opens a connection until its first call.
    const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const esdb = openEventStore(onEventStoreDb(), pool);
    expect(esdb).toBeInstanceOf(EventStoreDbEventStore);
    expect(esdb.name).toBe('eventstoredb');
    const pg = openEventStore(loadConfig({ APP_ENV: 'test' }), pool);
    expect(pg).toBeInstanceOf(PostgresEventStore);
    await esdb.close();
    await pg.close();
    await pool.end();
  });

  it('tells a projector worker of its appends on PostgreSQL in worker mode, and only then', async () => {
    const pool = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const opened = (mode: string) =>
      openEventStore(loadConfig({ APP_ENV: 'test', PROJECTIONS_MODE: mode }), pool);
    const inline = opened('inline');
    const worker = opened('worker');
    expect(inline).toBeInstanceOf(PostgresEventStore);
    expect((inline as PostgresEventStore).publisher).toBeNull();
    expect((worker as PostgresEventStore).publisher).not.toBeNull();
    await inline.close();
    await worker.close();
    await pool.end();
  });
});
