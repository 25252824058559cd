import { sql, type Kysely } from 'kysely';

/** Which earlier proof a proof's image resembles, for the reviewer of a `possible_duplicate`. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE proofs ADD COLUMN near_duplicate_of uuid`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE proofs DROP COLUMN near_duplicate_of`.execute(db);
}
