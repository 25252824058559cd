/**
 * A fresh database for one test file, cloned from the migrated template on this worker's
 * cluster. Tests that hold transactions open use `ownClusterDatabase()` instead: the xmin rule
 * is cluster-wide and would stall other files' `$all` readers.
 *
 * `url`, `pool` and `db` connect as the cluster's superuser (tests inspect and tamper with what
 * they like); `serviceUrl` and `ownerUrl` are the service's two roles (libs/postgres/src/roles.ts),
 * which test apps run as.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import {
  type PgConnectionConfig,
  connectionUrl,
  createKysely,
  createPool,
  dropDatabase,
  ensureDatabase,
  handDatabaseToOwner,
} from '@kob/postgres';
import {
  type ClusterAccess,
  TEMPLATE_DB,
  TEST_PG_ENV,
  startTestCluster,
  stopTestCluster,
} from './pg-instances';

export interface TestDatabase {
  config: PgConnectionConfig;
  /** The superuser's URL of this database. */
  url: string;
  /** The service role's connection and URL (DATABASE_URL of a test app). */
  serviceConfig: PgConnectionConfig;
  serviceUrl: string;
  /** The owner role's URL (DATABASE_OWNER_URL of a test app). */
  ownerUrl: string;
  pool: Pool;
  db: Kysely<any>;
  /** Another pool on the same database (separate connections for race tests). */
  newPool(max?: number): Pool;
  /** A pool that connects as the service role (closed with the database). */
  newServicePool(max?: number): Pool;
  close(): Promise<void>;
}

function workerCluster(): ClusterAccess {
  const raw = process.env[TEST_PG_ENV];
  if (!raw) throw new Error(`${TEST_PG_ENV} is not set: run the tests through jest's global setup`);
  const all = JSON.parse(raw) as ClusterAccess[];
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return all[(worker - 1) % all.length]!;
}

async function databaseOn(
  cluster: ClusterAccess,
  after?: () => Promise<void>,
): Promise<TestDatabase> {
  const { roles, ...admin } = cluster;
  const name = `t_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(admin, name, TEMPLATE_DB);
  // Database-level ownership and grants are not copied from the template.
  await handDatabaseToOwner(admin, name, roles);
  const config = { ...admin, database: name };
  const serviceConfig = { ...config, ...roles.service };
  const pools: Pool[] = [];
  const newPool = (max = 10, target: PgConnectionConfig = config) => {
    const p = createPool(target, max);
    pools.push(p);
    return p;
  };
  const pool = newPool(20);
  const db = createKysely<any>(pool);
  return {
    config,
    url: connectionUrl(config),
    serviceConfig,
    serviceUrl: connectionUrl(serviceConfig),
    ownerUrl: connectionUrl({ ...config, ...roles.owner }),
    pool,
    db,
    newPool: (max?: number) => newPool(max),
    newServicePool: (max?: number) => newPool(max, serviceConfig),
    close: async () => {
      await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
      await dropDatabase(admin, name);
      await after?.();
    },
  };
}

export async function testDatabase(): Promise<TestDatabase> {
  return databaseOn(workerCluster());
}

/** A database on a cluster of its own, for tests that hold transactions open. */
export async function ownClusterDatabase(): Promise<TestDatabase> {
  const cluster = await startTestCluster('own');
  return databaseOn(cluster.access, () => stopTestCluster(cluster));
}

export interface RestartableDatabase extends TestDatabase {
  /** Stops the server (fast shutdown: sessions are terminated, new connections refused). */
  stopServer(): Promise<void>;
  /** Starts it again in place: same data, same socket, so existing pools reconnect. */
  startServer(): Promise<void>;
}

/** A database on a cluster of its own that a test may stop and start again (an outage). */
export async function restartableDatabase(): Promise<RestartableDatabase> {
  const socketDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kobatela-pgsock-fixed-'));
  const cluster = await startTestCluster('restartable', { socketDir });
  let running = true;
  const db = await databaseOn(cluster.access, async () => {
    await stopTestCluster(cluster);
    await fs.rm(socketDir, { recursive: true, force: true });
  });
  return {
    ...db,
    close: async () => {
      // Dropping the database needs the server.
      if (!running) await cluster.server.start();
      running = true;
      await db.close();
    },
    stopServer: async () => {
      await cluster.server.stop();
      running = false;
    },
    startServer: async () => {
      await cluster.server.start();
      running = true;
    },
  };
}
