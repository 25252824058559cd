/** A benchmark's own database on the embedded server. */
import type { Pool } from 'pg';
import type { Kysely } from 'kysely';
import {
  type PgConnectionConfig,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '@kob/postgres';

/** The database `name` (created when missing), migrated, with a pool of `connections`. */
export async function migratedDatabase(
  admin: PgConnectionConfig,
  name: string,
  connections: number,
): Promise<{ pool: Pool; db: Kysely<Record<string, never>> }> {
  await ensureDatabase(admin, name);
  const pool = createPool({ ...admin, database: name }, connections);
  const db = createKysely<Record<string, never>>(pool);
  await migrateToLatest(db);
  return { pool, db };
}
