import { sql, type Kysely } from 'kysely';

/**
 * Allowed payees of escrows (`payee.allowed.v1`) with what was spent on each (spend payments
 * initiated, retries not counted twice), for `GET /escrows/{id}/payees`. The limits themselves
 * are decided on the escrow stream, never here. Owned by the payees projector.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE allowed_payees (
      escrow_id     uuid NOT NULL,
      payee_ref     text NOT NULL,
      label         text NOT NULL,
      currency      text NOT NULL,
      daily_limit   numeric,
      total_limit   numeric,
      spent_total   numeric NOT NULL,
      spent_day     date,
      spent_today   numeric NOT NULL,
      created_at    timestamptz NOT NULL,
      updated_at    timestamptz NOT NULL,
      PRIMARY KEY (escrow_id, payee_ref)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE allowed_payees`.execute(db);
}
