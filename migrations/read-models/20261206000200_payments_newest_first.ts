import { sql, type Kysely } from 'kysely';

/**
 * `GET /admin/payments` (FRONTEND-CONTRACT.md §6.3) pages every payment newest first; without
 * an index on that order each page sorts the whole table (a b-tree is read backwards too).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX payments_initiated_idx ON payments (initiated_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX payments_initiated_idx`.execute(db);
}
