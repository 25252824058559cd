/**
 * Database roles: the service never connects as the owner of what it must not change.
 *
 * - The OWNER role (`kobatela_owner` in the embedded server; DATABASE_OWNER_URL's user outside)
 *   runs the migrations and owns the event store: `events`, `streams`, `service_secrets`,
 *   `projection_checkpoints`, Kysely's migration tables and the tamper-guard trigger functions.
 * - The SERVICE role (`kobatela_service`; DATABASE_URL's user) is what the API, the projector
 *   workers and the CLI (all but `migrate`) connect as. On the event store it holds only what
 *   appends and reads need (`EVENT_STORE_GRANTS`). Not owning `events`, it cannot disable, drop or
 *   replace its triggers; not being a superuser, it cannot skip them with
 *   `session_replication_role`; without UPDATE, DELETE and TRUNCATE it cannot rewrite a row.
 * - The service role OWNS the projectors' read-model tables. A rebuild replays history into fresh
 *   tables in a scratch schema and swaps them in (`DROP TABLE`, `ALTER TABLE … SET SCHEMA
 *   public`), which only a table's owner may do, with CREATE on the database (the scratch schema)
 *   and on schema public (the swap). Read models are derived data the service rebuilds from the
 *   events anyway. A third, projector-only role would buy nothing: in inline mode (the default)
 *   the API process runs the projections, so its role needs these rights regardless.
 * - Any other table (today `api_key_usage`) stays the owner's, with SELECT, INSERT, UPDATE and
 *   DELETE granted: the service writes it but never needs to alter or drop it.
 * - The owner is a member of the service role, so it may hand new read-model tables over and
 *   alter them in later migrations; the service is never a member of the owner.
 *
 * A new table that must be as protected as `events` gets its row in `EVENT_STORE_GRANTS`.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { Client } from 'pg';
import type { PgConnectionConfig } from './embedded-postgres';

export const OWNER_ROLE = 'kobatela_owner';
export const SERVICE_ROLE = 'kobatela_service';

export interface RoleLogin {
  user: string;
  password: string;
}

export interface RoleLogins {
  owner: RoleLogin;
  service: RoleLogin;
}

type TablePrivilege =
  'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER';
const TABLE_PRIVILEGES: readonly TablePrivilege[] = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
];

/**
 * The tables the owner keeps, and all the service role may do on each (anything else is
 * revoked). `streams` needs UPDATE to move a head; its trigger lets a head move only forward.
 * `projection_checkpoints` is written by every projection batch. The migration tables are read
 * by `/health` (migrations status).
 */
export const EVENT_STORE_GRANTS: Readonly<Record<string, readonly TablePrivilege[]>> = {
  events: ['SELECT', 'INSERT'],
  streams: ['SELECT', 'INSERT', 'UPDATE'],
  service_secrets: ['SELECT'],
  projection_checkpoints: ['SELECT', 'INSERT', 'UPDATE'],
  kysely_migration: ['SELECT'],
  kysely_migration_lock: ['SELECT'],
};

/** What the service role may do on tables that are neither the event store nor read models. */
const OTHER_TABLE_GRANTS: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/** Serialises concurrent starts' grant steps (concurrent GRANTs on one table can fail). */
const GRANT_LOCK = sql`pg_advisory_xact_lock(hashtext('kobatela'), hashtext('role-grants'))`;

const NO_POWERS = 'NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

async function withClient<T>(
  config: PgConnectionConfig,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client(config);
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * As a superuser (the embedded server's bootstrap user): both roles exist, can log in with
 * these passwords, hold no cluster-wide power, the owner is a member of the service role, and
 * the service role may read every session's activity (`pg_read_all_stats`: `/health` and the
 * horizon alert must see transactions of other roles). Cluster-wide and idempotent.
 */
export async function ensureRoles(admin: PgConnectionConfig, logins: RoleLogins): Promise<void> {
  await withClient({ ...admin, database: 'postgres' }, async (client) => {
    for (const login of [logins.owner, logins.service]) {
      const role = client.escapeIdentifier(login.user);
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.user]);
      if (found.rowCount === 0) {
        await client
          .query(`CREATE ROLE ${role} LOGIN ${NO_POWERS}`)
          .catch((err: { code?: string }) => {
            if (err.code !== '42710') throw err; // created meanwhile by a concurrent start
          });
      }
      // Utility statements take no parameters; the literal is escaped (and base64url anyway).
      await client.query(
        `ALTER ROLE ${role} WITH LOGIN ${NO_POWERS} PASSWORD ${client.escapeLiteral(login.password)}`,
      );
    }
    const owner = client.escapeIdentifier(logins.owner.user);
    const service = client.escapeIdentifier(logins.service.user);
    await client.query(`GRANT ${service} TO ${owner}`);
    await client.query(`GRANT pg_read_all_stats TO ${service}`);
  });
}

/**
 * As a superuser: `database` belongs to the owner role, and so does every object the superuser
 * made in its schema public (a data dir made before the roles existed: the migrations then ran
 * as the superuser). The service role may connect, use temporary tables and create schemas.
 */
export async function handDatabaseToOwner(
  admin: PgConnectionConfig,
  database: string,
  logins: RoleLogins,
): Promise<void> {
  await withClient({ ...admin, database }, async (client) => {
    const db = client.escapeIdentifier(database);
    const owner = client.escapeIdentifier(logins.owner.user);
    await client.query(`ALTER DATABASE ${db} OWNER TO ${owner}`);
    await client.query(
      `GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${db} TO ${client.escapeIdentifier(logins.service.user)}`,
    );
    // Sequences owned by a column follow their table; `ALTER TABLE` also serves views.
    const relations = await client.query<{ name: string; kind: string }>(`
      SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
        AND (c.relkind IN ('r', 'p', 'v', 'm', 'f')
             OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_depend d
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))))
      ORDER BY 1`);
    for (const r of relations.rows) {
      const what = r.kind === 'S' ? 'SEQUENCE' : 'TABLE';
      await client.query(
        `ALTER ${what} public.${client.escapeIdentifier(r.name)} OWNER TO ${owner}`,
      );
    }
    const functions = await client.query<{ signature: string }>(`
      SELECT p.oid::regprocedure::text AS signature FROM pg_proc p
      WHERE p.pronamespace = 'public'::regnamespace AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`);
    for (const f of functions.rows)
      await client.query(`ALTER ROUTINE ${f.signature} OWNER TO ${owner}`);
  });
}

// These functions run raw SQL on the catalogs only, never a table of the service: they take a
// Kysely of any database (`DB`), typed or not.

interface TableRow {
  name: string;
  owner: string;
}

/**
 * As the owner, after the migrations: gives the service role exactly its rights (see the top of
 * this file). Idempotent and cheap when nothing changed: ownership and grants are only written
 * where they differ, under an advisory lock so replicas starting together do not collide.
 */
export async function grantServiceRole<DB>(
  db: Kysely<DB>,
  serviceRole: string,
  readModelTables: readonly string[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT ${GRANT_LOCK}`.execute(trx);
    const me = (
      await sql<{
        me: string;
        database: string;
      }>`SELECT current_user AS me, current_database() AS database`.execute(trx)
    ).rows[0]!;
    if (me.me === serviceRole)
      throw new Error(`the owner role and the service role are the same role (${serviceRole})`);
    const member = await sql<{
      ok: boolean;
    }>`SELECT pg_has_role(current_user, ${serviceRole}, 'SET') AS ok`.execute(trx);
    if (!member.rows[0]?.ok) {
      throw new Error(
        `the owner role ${me.me} must be a member of the service role ${serviceRole} (it hands the read-model ` +
          `tables over): run GRANT ${serviceRole} TO ${me.me}`,
      );
    }
    await grantOnDatabase(trx, me.database, serviceRole);
    const tables = await sql<TableRow>`
      SELECT c.relname AS name, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') ORDER BY 1`.execute(
      trx,
    );
    const readModels = new Set(readModelTables);
    for (const t of tables.rows) {
      const fixed = EVENT_STORE_GRANTS[t.name];
      if (readModels.has(t.name)) {
        if (t.owner !== serviceRole)
          await sql`ALTER TABLE ${sql.id('public', t.name)} OWNER TO ${sql.id(serviceRole)}`.execute(
            trx,
          );
        continue;
      }
      // A table the service owns from a single-role setup, the owner takes back (it may: it is
      // a member of the service role).
      if (t.owner === serviceRole)
        await sql`ALTER TABLE ${sql.id('public', t.name)} OWNER TO ${sql.id(me.me)}`.execute(trx);
      await grantExactly(
        trx,
        t.name,
        serviceRole,
        fixed ?? OTHER_TABLE_GRANTS,
        fixed !== undefined,
      );
    }
  });
}

async function grantOnDatabase<DB>(
  trx: Kysely<DB>,
  database: string,
  serviceRole: string,
): Promise<void> {
  // Each privilege on its own: a list in one has_*_privilege call is true when ANY is held.
  const has = await sql<{ db: boolean; schema: boolean }>`
    SELECT has_database_privilege(${serviceRole}, current_database(), 'CONNECT')
             AND has_database_privilege(${serviceRole}, current_database(), 'TEMPORARY')
             AND has_database_privilege(${serviceRole}, current_database(), 'CREATE') AS db,
           has_schema_privilege(${serviceRole}, 'public', 'USAGE')
             AND has_schema_privilege(${serviceRole}, 'public', 'CREATE') AS schema`.execute(trx);
  // A rebuild creates a scratch schema (CREATE on the database) and moves its tables into
  // public (CREATE on the schema).
  try {
    if (!has.rows[0]?.db)
      await sql`GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${sql.id(database)} TO ${sql.id(serviceRole)}`.execute(
        trx,
      );
    if (!has.rows[0]?.schema)
      await sql`GRANT USAGE, CREATE ON SCHEMA public TO ${sql.id(serviceRole)}`.execute(trx);
  } catch (err) {
    throw new Error(
      `the service role ${serviceRole} needs CONNECT, TEMPORARY and CREATE on database ${database} and USAGE, ` +
        `CREATE on its schema public (rebuilds use a scratch schema), and the owner role could not grant them ` +
        `(${(err as Error).message}): grant them as the database's owner or a superuser`,
    );
  }
}

/**
 * The service role holds `wanted` on `table`: granted where missing, and with `exact`, anything
 * more revoked (an event-store table must not keep an UPDATE granted by an older setup).
 */
async function grantExactly<DB>(
  trx: Kysely<DB>,
  table: string,
  role: string,
  wanted: readonly TablePrivilege[],
  exact: boolean,
): Promise<void> {
  const rows = await sql<{ privilege: TablePrivilege }>`
    SELECT p AS privilege FROM unnest(${sql.val([...TABLE_PRIVILEGES])}::text[]) AS p
    WHERE has_table_privilege(${role}, (SELECT c.oid FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ${table}), p)`.execute(
    trx,
  );
  const held = new Set(rows.rows.map((r) => r.privilege));
  const missing = wanted.filter((p) => !held.has(p));
  const extra = [...held].filter((p) => !wanted.includes(p));
  if (exact && extra.length > 0) {
    await sql`REVOKE ALL ON TABLE ${sql.id('public', table)} FROM ${sql.id(role)}`.execute(trx);
    await sql`GRANT ${sql.raw(wanted.join(', '))} ON TABLE ${sql.id('public', table)} TO ${sql.id(role)}`.execute(
      trx,
    );
  } else if (missing.length > 0) {
    await sql`GRANT ${sql.raw(missing.join(', '))} ON TABLE ${sql.id('public', table)} TO ${sql.id(role)}`.execute(
      trx,
    );
  }
}

/** Whether the connected role could change the events table's history, and why. */
export interface RoleExposure {
  role: string;
  /** Null when it cannot; else the reason (superuser, owner of `events`, a privilege on it). */
  exposed: string | null;
}

/**
 * Can the role of this connection rewrite `events` (or switch its guards off)? A superuser can
 * skip triggers; the owner (or a member of the owner) can disable or drop them; UPDATE, DELETE
 * or TRUNCATE granted would only meet the trigger, but are more than the service needs.
 */
export async function eventStoreExposure<DB>(db: Kysely<DB>): Promise<RoleExposure> {
  const r = await sql<{
    role: string;
    superuser: boolean;
    owner: boolean | null;
    rewrite: boolean | null;
  }>`
    SELECT current_user AS role, r.rolsuper AS superuser,
           pg_has_role(current_user, c.relowner, 'USAGE') AS owner,
           has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE') AS rewrite
    FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('public.events')
    WHERE r.rolname = current_user`.execute(db);
  const row = r.rows[0]!;
  const exposed = row.superuser
    ? 'it is a superuser (it can skip triggers)'
    : row.owner
      ? 'it owns the events table (it can disable or drop its triggers)'
      : row.rewrite
        ? 'it holds UPDATE, DELETE or TRUNCATE on the events table'
        : null;
  return { role: row.role, exposed };
}

/** The connection settings of the owner's sessions: only schema public is searched (a schema
 * named after the owner, which the service could create, never shadows the owner's tables). */
export const OWNER_SESSION_OPTIONS = '-c search_path=public';
