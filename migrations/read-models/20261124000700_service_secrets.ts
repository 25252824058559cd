import { sql, type Kysely } from 'kysely';

/**
 * Secrets the service generates for itself once and never rotates. `reservation_pepper` keys the
 * HMAC that names uniqueness reservations (`email-…`, `username-…`): the stream ids stay stable
 * forever but cannot be reversed by guessing (a plain hash of an email can). 256 bits from
 * PostgreSQL's strong random source (gen_random_uuid, twice, hashed).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE service_secrets (
      name        text PRIMARY KEY,
      value       text NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    INSERT INTO service_secrets (name, value)
    VALUES ('reservation_pepper',
            encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE service_secrets`.execute(db);
}
