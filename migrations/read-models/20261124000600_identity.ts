import { sql, type Kysely } from 'kysely';

/**
 * Identity read models: `users` and `api_keys` (projected from events; authentication reads
 * them) and `api_key_usage`, a plain table for `last_used_at`, which is operational data, not
 * history: it is written at most once a minute per key and never becomes an event.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id          uuid PRIMARY KEY,
      username    text NOT NULL,
      email       text NOT NULL,
      is_active   boolean NOT NULL,
      public_tag  text,
      created_at  timestamptz NOT NULL,
      updated_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX users_created_idx ON users (created_at, id)`.execute(db);
  await sql`
    CREATE TABLE api_keys (
      id          uuid PRIMARY KEY,
      name        text NOT NULL,
      prefix      text NOT NULL UNIQUE,
      scope       text NOT NULL,
      user_id     uuid,
      key_hash    text NOT NULL,
      expires_at  timestamptz,
      revoked_at  timestamptz,
      created_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX api_keys_user_idx ON api_keys (user_id)`.execute(db);
  await sql`CREATE INDEX api_keys_created_idx ON api_keys (created_at, id)`.execute(db);
  await sql`
    CREATE TABLE api_key_usage (
      key_id        uuid PRIMARY KEY,
      last_used_at  timestamptz NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE api_key_usage`.execute(db);
  await sql`DROP TABLE api_keys`.execute(db);
  await sql`DROP TABLE users`.execute(db);
}
