/**
 * The configuration added for database roles, the event horizon and processes that handle no API
 * keys: DATABASE_OWNER_URL names the owner role of the same external database (never the service
 * role, never without DATABASE_URL); EVENT_HORIZON_HELD_MAX_MS and the job interval are bounded;
 * the CLI and the worker (`apiKeys: false`) need no API_KEY_SECRET even in production, while the
 * API still does.
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './config';

const SERVICE = 'postgres://kobatela_service:pw@db.example:5432/kobatela';
const OWNER = 'postgres://kobatela_owner:pw2@db.example:5432/kobatela';

function configError(env: Record<string, string>, options?: { apiKeys?: boolean }): ConfigError {
  try {
    loadConfig({ APP_ENV: 'test', ...env }, options);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('DATABASE_OWNER_URL', () => {
  it('is the owner role of the database DATABASE_URL names', () => {
    const config = loadConfig({
      APP_ENV: 'test',
      DATABASE_URL: SERVICE,
      DATABASE_OWNER_URL: OWNER,
    });
    expect(config.databaseOwnerUrl).toBe(OWNER);
    expect(loadConfig({ APP_ENV: 'test', DATABASE_URL: SERVICE }).databaseOwnerUrl).toBeNull();
  });

  it.each([
    ['without DATABASE_URL', { DATABASE_OWNER_URL: OWNER }, /only for an external database/],
    [
      'not a postgres URL',
      { DATABASE_URL: SERVICE, DATABASE_OWNER_URL: 'mysql://o@db/kobatela' },
      /postgres:\/\//,
    ],
    [
      'the same role',
      { DATABASE_URL: SERVICE, DATABASE_OWNER_URL: SERVICE.replace(':pw@', ':other@') },
      /same role/,
    ],
    [
      'another database',
      { DATABASE_URL: SERVICE, DATABASE_OWNER_URL: OWNER.replace(/\/kobatela$/, '/other') },
      /another database/,
    ],
  ])('is refused %s', (_what, env, message) => {
    const err = configError(env);
    expect(err.variable).toBe('DATABASE_OWNER_URL');
    expect(err.message).toMatch(message);
  });
});

describe('the event horizon limit', () => {
  it('defaults to a minute, checked every 10 seconds, and is bounded', () => {
    const config = loadConfig({ APP_ENV: 'test' });
    expect(config.eventHorizonHeldMaxMs).toBe(60_000);
    expect(config.schedulerEventHorizonIntervalMs).toBe(10_000);
    expect(
      loadConfig({ APP_ENV: 'test', EVENT_HORIZON_HELD_MAX_MS: '5000' }).eventHorizonHeldMaxMs,
    ).toBe(5000);
    expect(configError({ EVENT_HORIZON_HELD_MAX_MS: '99' }).variable).toBe(
      'EVENT_HORIZON_HELD_MAX_MS',
    );
    expect(configError({ EVENT_HORIZON_HELD_MAX_MS: '1s' }).variable).toBe(
      'EVENT_HORIZON_HELD_MAX_MS',
    );
    expect(configError({ SCHEDULER_EVENT_HORIZON_INTERVAL_MS: '10' }).variable).toBe(
      'SCHEDULER_EVENT_HORIZON_INTERVAL_MS',
    );
  });
});

describe('a process that handles no API keys', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'kobatela-config-')), 'data');
  });
  afterEach(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

  it('needs no API_KEY_SECRET in production, while the API does', () => {
    const cli = loadConfig({ DATA_DIR: dataDir }, { apiKeys: false });
    expect(cli.appEnv).toBe('production');
    expect(cli).toMatchObject({ apiKeySecret: '', apiKeySecretSource: 'not_needed' });
    expect(configError({ APP_ENV: 'production', DATA_DIR: dataDir }).variable).toBe(
      'API_KEY_SECRET',
    );
  });

  it('writes no secret into DATA_DIR in development, and still checks a secret it is given', () => {
    expect(
      loadConfig({ APP_ENV: 'development', DATA_DIR: dataDir }, { apiKeys: false })
        .apiKeySecretSource,
    ).toBe('not_needed');
    expect(existsSync(dataDir)).toBe(false);
    expect(configError({ API_KEY_SECRET: 'short' }, { apiKeys: false }).variable).toBe(
      'API_KEY_SECRET',
    );
  });
});

describe('EVENT_STORE', () => {
  it('is PostgreSQL by default, EventStoreDB with its connection string', () => {
    const pg = loadConfig({ APP_ENV: 'test' });
    expect(pg).toMatchObject({ eventStore: 'postgres', eventStoreConnectionString: null });
    const esdb = loadConfig({
      APP_ENV: 'test',
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://a:2113,b:2113?tls=true',
    });
    expect(esdb).toMatchObject({
      eventStore: 'eventstoredb',
      eventStoreConnectionString: 'esdb://a:2113,b:2113?tls=true',
    });
    // A connection string is ignored (and not kept) with the PostgreSQL store.
    expect(
      loadConfig({ APP_ENV: 'test', EVENTSTORE_CONNECTION_STRING: 'kurrentdb://x:2113' })
        .eventStoreConnectionString,
    ).toBeNull();
  });

  it.each([
    [{ EVENT_STORE: 'mongo' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [
      { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'http://a:2113' },
      'EVENTSTORE_CONNECTION_STRING',
    ],
  ])('refuses %j, naming %s', (env, variable) => {
    expect(configError(env).message).toContain(variable);
  });
});

describe('heap compaction at start', () => {
  it('is on by default, can be turned off, and refuses anything but a boolean', () => {
    expect(loadConfig({ APP_ENV: 'test' }).compactHeapAtStart).toBe(true);
    expect(loadConfig({ APP_ENV: 'test', COMPACT_HEAP_AT_START: 'false' }).compactHeapAtStart).toBe(
      false,
    );
    expect(configError({ COMPACT_HEAP_AT_START: 'later' }).variable).toBe('COMPACT_HEAP_AT_START');
  });
});

describe('deferred projection writes', () => {
  it('are on by default, can be turned off, and refuse anything but a boolean', () => {
    expect(loadConfig({ APP_ENV: 'test' }).projectionDeferredWrites).toBe(true);
    expect(
      loadConfig({ APP_ENV: 'test', PROJECTION_DEFERRED_WRITES: 'false' }).projectionDeferredWrites,
    ).toBe(false);
    expect(configError({ PROJECTION_DEFERRED_WRITES: 'sometimes' }).variable).toBe(
      'PROJECTION_DEFERRED_WRITES',
    );
  });
});
