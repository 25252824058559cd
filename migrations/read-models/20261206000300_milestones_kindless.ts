import { sql, type Kysely } from 'kysely';

/** A milestone created without `proof_kind` is kind-less (FRONTEND-CONTRACT D5): its kind is null. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE milestones ALTER COLUMN proof_kind DROP NOT NULL`.execute(db);
}

/** Refused by PostgreSQL while a kind-less milestone exists: no kind is invented for it. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE milestones ALTER COLUMN proof_kind SET NOT NULL`.execute(db);
}
