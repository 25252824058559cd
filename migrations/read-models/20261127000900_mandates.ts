import { sql, type Kysely } from 'kysely';

/**
 * Usage mandates and their purchases for queries (`GET /mandates`, `GET /spend/purchases`) and
 * as the expiry jobs' to-do list. No uniqueness here: one ACTIVE mandate per slot is enforced by
 * the reservation stream, never by a read model.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE mandates (
      id                   uuid PRIMARY KEY,
      sender_id            uuid NOT NULL,
      beneficiary_id       uuid NOT NULL,
      total_amount         numeric NOT NULL,
      total_spent          numeric NOT NULL,
      currency             text NOT NULL,
      scale                integer NOT NULL,
      allowed_category_id  uuid,
      allowed_merchant_id  uuid,
      expires_at           timestamptz NOT NULL,
      status               text NOT NULL,
      expired_reason       text,
      created_at           timestamptz NOT NULL,
      updated_at           timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX mandates_due_idx ON mandates (status, expires_at, id)`.execute(db);
  await sql`CREATE INDEX mandates_sender_idx ON mandates (sender_id, created_at)`.execute(db);
  await sql`CREATE INDEX mandates_beneficiary_idx ON mandates (beneficiary_id, created_at)`.execute(
    db,
  );
  await sql`CREATE INDEX mandates_created_idx ON mandates (created_at, id)`.execute(db);
  await sql`
    CREATE TABLE purchases (
      id              uuid PRIMARY KEY,
      mandate_id      uuid NOT NULL,
      sender_id       uuid NOT NULL,
      beneficiary_id  uuid NOT NULL,
      merchant_id     uuid NOT NULL,
      category_id     uuid,
      amount          numeric NOT NULL,
      currency        text NOT NULL,
      status          text NOT NULL,
      created_at      timestamptz NOT NULL,
      updated_at      timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX purchases_mandate_idx ON purchases (mandate_id, created_at)`.execute(db);
  await sql`CREATE INDEX purchases_sender_idx ON purchases (sender_id, created_at)`.execute(db);
  await sql`CREATE INDEX purchases_beneficiary_idx ON purchases (beneficiary_id, created_at)`.execute(
    db,
  );
  await sql`CREATE INDEX purchases_created_idx ON purchases (created_at, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE purchases`.execute(db);
  await sql`DROP TABLE mandates`.execute(db);
}
