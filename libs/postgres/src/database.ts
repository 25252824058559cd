/**
 * Connections: a pg Pool wrapped in Kysely. `numeric` and `int8` come back as strings (money is
 * never a JS number; positions are bigints as text), timestamps as Date.
 */
import { Kysely, PostgresDialect } from 'kysely';
import { Client, Pool, type PoolConfig } from 'pg';
import { limits } from '@kob/kernel';
import type { PgConnectionConfig } from './embedded-postgres';
import { OWNER_SESSION_OPTIONS } from './roles';
import { DeferringClient } from './deferred-writes';

export type ConnectionTarget = string | PgConnectionConfig;

export interface PoolOptions {
  /**
   * A pool of the owner role (migrations): it searches schema public only, and its DDL gives up
   * waiting for a lock after `dbOwnerLockTimeoutMs` instead of queueing every later query on
   * that table behind it.
   */
  owner?: boolean;
  /** Overrides `limits.dbIdleInTransactionTimeoutMs` (tests that watch the server end a session). */
  idleInTransactionTimeoutMs?: number;
}

/**
 * Every session of the service ends a forgotten transaction after `dbIdleInTransactionTimeoutMs`
 * idle (an open transaction anywhere in the cluster holds back every `$all` reader: the xmin
 * rule) and a statement after `dbStatementTimeoutMs`. No separate `lock_timeout` for the service:
 * the statement timeout already bounds any lock wait, and the waits it has (a projector on its
 * checkpoint row while a rebuild switches tables in, an append on a stream head) are meant to
 * wait and then proceed, not to fail sooner and retry.
 */
export function poolConfig(
  target: ConnectionTarget,
  max: number,
  options: PoolOptions = {},
): PoolConfig {
  // Only the connection fields: a connection.json may carry more (the owner's login).
  const base: PoolConfig =
    typeof target === 'string'
      ? { connectionString: target }
      : {
          host: target.host,
          port: target.port,
          user: target.user,
          password: target.password,
          database: target.database,
        };
  return {
    ...base,
    // Rows handed over in young arrays (young-rows-client.ts), writes deferred where a
    // transaction asks (deferred-writes.ts).
    Client: DeferringClient,
    max,
    idleTimeoutMillis: 30_000,
    application_name: options.owner ? 'kobatela-migrate' : 'kobatela',
    // Bounded waits: no request hangs forever on an exhausted pool or a stuck statement, and no
    // forgotten transaction holds back every `$all` reader (the xmin rule) for long.
    connectionTimeoutMillis: limits.dbConnectTimeoutMs,
    statement_timeout: limits.dbStatementTimeoutMs,
    idle_in_transaction_session_timeout:
      options.idleInTransactionTimeoutMs ?? limits.dbIdleInTransactionTimeoutMs,
    ...(options.owner
      ? { lock_timeout: limits.dbOwnerLockTimeoutMs, options: OWNER_SESSION_OPTIONS }
      : {}),
  };
}

export function createPool(target: ConnectionTarget, max = 10, options: PoolOptions = {}): Pool {
  const pool = new Pool(poolConfig(target, max, options));
  // A connection's error (server restart, admin kill, network) must not crash the process:
  // idle clients report to the pool, checked-out clients to their own listener; the query in
  // flight still rejects and the caller handles that.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  // A client goes back to the pool without deferral, whatever its last transaction did.
  pool.on('release', (_err: Error | undefined, client: unknown) => {
    if (client instanceof DeferringClient) client.resetDeferral();
  });
  return pool;
}

export function createKysely<DB>(pool: Pool): Kysely<DB> {
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/** A URL for child processes (worker, CLI, crash tests) that reach the same server. */
export function connectionUrl(cfg: PgConnectionConfig): string {
  const auth = `${encodeURIComponent(cfg.user)}:${encodeURIComponent(cfg.password)}`;
  return `postgres://${auth}@${encodeURIComponent(cfg.host)}:${cfg.port}/${encodeURIComponent(cfg.database)}`;
}

/** Creates a database if it does not exist yet (first start of the embedded server). */
export async function ensureDatabase(
  admin: PgConnectionConfig,
  name: string,
  template?: string,
): Promise<void> {
  const client = new Client({ ...admin, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const tpl = template ? ` TEMPLATE ${client.escapeIdentifier(template)}` : '';
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}${tpl}`);
    }
  } catch (err) {
    // A concurrent creator won: that is fine.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(admin: PgConnectionConfig, name: string): Promise<void> {
  const client = new Client({ ...admin, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
