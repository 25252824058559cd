import { sql, type Kysely } from 'kysely';

/**
 * Restricted transfers' read models: allowlist entries, certifications and completed
 * transactions, for the paged lists. Owned by the transfers projector; decisions read the
 * streams, never these tables.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE allowlist_entries (
      owner_id      uuid NOT NULL,
      recipient_id  uuid NOT NULL,
      created_at    timestamptz NOT NULL,
      PRIMARY KEY (owner_id, recipient_id)
    )`.execute(db);
  await sql`CREATE INDEX allowlist_entries_owner_idx ON allowlist_entries (owner_id, created_at, recipient_id)`.execute(
    db,
  );
  await sql`
    CREATE TABLE certifications (
      user_id       uuid PRIMARY KEY,
      level         text NOT NULL,
      certified_at  timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE transactions (
      id            uuid PRIMARY KEY,
      sender_id     uuid NOT NULL,
      receiver_id   uuid NOT NULL,
      amount        numeric NOT NULL,
      currency      text NOT NULL,
      scale         integer NOT NULL,
      status        text NOT NULL,
      created_at    timestamptz NOT NULL,
      updated_at    timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX transactions_created_idx ON transactions (created_at, id)`.execute(db);
  await sql`CREATE INDEX transactions_sender_idx ON transactions (sender_id, created_at, id)`.execute(
    db,
  );
  await sql`CREATE INDEX transactions_receiver_idx ON transactions (receiver_id, created_at, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE transactions`.execute(db);
  await sql`DROP TABLE certifications`.execute(db);
  await sql`DROP TABLE allowlist_entries`.execute(db);
}
