/**
 * Where the database is, and as which role each part connects (the roles and what each may do:
 * libs/postgres/src/roles.ts).
 *
 * - External database: DATABASE_URL is the service role, which every process works with.
 *   DATABASE_OWNER_URL (optional) is the owner role, used only to migrate and then to give the
 *   service role its rights. Without it the migrations run with DATABASE_URL, only when some are
 *   pending: one role then owns everything, so the append-only guard stops bugs but not that
 *   role's credentials (`/health` `database_role` and the API's start log say so).
 * - Embedded server (no DATABASE_URL): the API that starts it provisions both roles as the
 *   server's bootstrap superuser, on a fresh data dir and on one made before the roles existed
 *   (ownership moved to the owner role, grants set), with passwords generated once and kept in
 *   DATA_DIR (mode 0600). It writes DATA_DIR/connection.json (0600): the service role's login
 *   and, under `owner`, the owner's, for `migrate`. The CLI and projector workers join a running
 *   API's server through that file; they do not migrate (that API did), except `migrate` itself.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from '@kob/config';
import {
  EmbeddedPostgres,
  OWNER_ROLE,
  SERVICE_ROLE,
  type ConnectionTarget,
  type PgConnectionConfig,
  type RoleLogin,
  type RoleLogins,
  createKysely,
  createPool,
  ensureDatabase,
  ensureRoles,
  grantServiceRole,
  handDatabaseToOwner,
  migrateToLatest,
  migrationStatus,
  readOrCreatePassword,
} from '@kob/postgres';

export const EMBEDDED_DATABASE = 'kobatela';
const CONNECTION_FILE = 'connection.json';

/** The owner's connection only migrates and grants (raw SQL, the catalogs): it names no table. */
type OwnerTables = Record<string, never>;

/** DATA_DIR/connection.json: the service role's connection, and the owner's login. */
interface ConnectionFile extends PgConnectionConfig {
  owner?: RoleLogin;
}

export interface DatabaseAccess {
  service: ConnectionTarget;
  /** Null: one role for everything (an external database without DATABASE_OWNER_URL). */
  owner: ConnectionTarget | null;
  embedded: EmbeddedPostgres | null;
  /** This process joined a running API's embedded server (that API migrated it). */
  joined: boolean;
  /** Stops the embedded server this process started (and removes connection.json). */
  close(): Promise<void>;
}

export async function openDatabaseAccess(
  config: AppConfig,
  log: Logger,
  mode: 'own' | 'shared',
): Promise<DatabaseAccess> {
  const nothing = async () => undefined;
  if (config.databaseUrl) {
    return {
      service: config.databaseUrl,
      owner: config.databaseOwnerUrl,
      embedded: null,
      joined: false,
      close: nothing,
    };
  }
  const shared = mode === 'shared' ? runningEmbedded(config.dataDir) : null;
  if (shared) {
    const { owner, ...service } = shared;
    return {
      service,
      owner: owner ? { ...service, ...owner } : null,
      embedded: null,
      joined: true,
      close: nothing,
    };
  }
  const embedded = new EmbeddedPostgres({
    dataDir: config.dataDir,
    onLog: (line) => log.debug({ postgres: line.trim() }, 'postgres'),
  });
  log.info({ dataDir: config.dataDir }, 'starting embedded PostgreSQL');
  const admin = await embedded.start();
  const file = path.join(config.dataDir, CONNECTION_FILE);
  try {
    const logins = await embeddedLogins(config.dataDir);
    await ensureDatabase(admin, EMBEDDED_DATABASE);
    await ensureRoles(admin, logins);
    await handDatabaseToOwner(admin, EMBEDDED_DATABASE, logins);
    const service: PgConnectionConfig = {
      ...admin,
      database: EMBEDDED_DATABASE,
      ...logins.service,
    };
    const connection: ConnectionFile = { ...service, owner: logins.owner };
    writeFileSync(file, JSON.stringify(connection), { mode: 0o600 });
    chmodSync(file, 0o600); // a file left by a killed API keeps its mode otherwise
    return {
      service,
      owner: { ...service, ...logins.owner },
      embedded,
      joined: false,
      close: async () => {
        rmSync(file, { force: true });
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

/** The two roles' logins of the embedded server, passwords kept in DATA_DIR (0600). */
async function embeddedLogins(dataDir: string): Promise<RoleLogins> {
  return {
    owner: {
      user: OWNER_ROLE,
      password: await readOrCreatePassword(path.join(dataDir, 'pg-owner-password')),
    },
    service: {
      user: SERVICE_ROLE,
      password: await readOrCreatePassword(path.join(dataDir, 'pg-service-password')),
    },
  };
}

/**
 * Applies pending migrations as the owner role, then gives the service role (whose pool is `db`)
 * its rights, the read-model tables included. With one role, migrates with `db` when needed.
 */
export async function migrateDatabase<DB>(
  access: DatabaseAccess,
  db: Kysely<DB>,
  readModelTables: readonly string[],
): Promise<void> {
  if (!access.owner) {
    if ((await migrationStatus(db)).pending.length === 0) return;
    try {
      await migrateToLatest(db);
    } catch (err) {
      throw new Error(
        `${(err as Error).message} (migrations run with DATABASE_URL because DATABASE_OWNER_URL is not set: set it ` +
          'to the owner role, or run "npm run cli -- migrate" with it)',
      );
    }
    return;
  }
  const serviceRole = (await sql<{ role: string }>`SELECT current_user AS role`.execute(db))
    .rows[0]!.role;
  const ownerDb = createKysely<OwnerTables>(createPool(access.owner, 2, { owner: true }));
  try {
    await migrateToLatest(ownerDb);
    await grantServiceRole(ownerDb, serviceRole, readModelTables);
  } finally {
    await ownerDb.destroy();
  }
}

/** The embedded server a running API started in this DATA_DIR, if it is still alive. */
function runningEmbedded(dataDir: string): ConnectionFile | null {
  const file = path.join(dataDir, CONNECTION_FILE);
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file) || !existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as ConnectionFile;
}
