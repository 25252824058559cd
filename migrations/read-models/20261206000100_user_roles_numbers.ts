import { sql, type Kysely } from 'kysely';

/**
 * FRONTEND-CONTRACT D1–D3: a user's `role` (rows from before roles are `user`, as their events
 * fold) and `number` (null until a user registered before numbers is numbered); an API key issued
 * by email login is a `session`, which works only while its user's role maps to its scope (A2).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE users
      ADD COLUMN role text NOT NULL DEFAULT 'user',
      ADD COLUMN number integer UNIQUE`.execute(db);
  await sql`ALTER TABLE api_keys ADD COLUMN session boolean NOT NULL DEFAULT false`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE api_keys DROP COLUMN session`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN role, DROP COLUMN number`.execute(db);
}
