import { sql, type Kysely } from 'kysely';

/**
 * Deposits, one row each: for support, and as the recovery job's to-do list (deposits the PSP
 * left PENDING without a reference are asked about again). Owned by the payments projector.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE deposits (
      id                 uuid PRIMARY KEY,
      escrow_id          uuid NOT NULL,
      amount             numeric NOT NULL,
      currency           text NOT NULL,
      status             text NOT NULL,
      psp_ref            text,
      beyond_cap         boolean NOT NULL,
      refund_payment_id  uuid,
      initiated_at       timestamptz NOT NULL,
      updated_at         timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX deposits_escrow_idx ON deposits (escrow_id, initiated_at, id)`.execute(db);
  await sql`CREATE INDEX deposits_pending_idx ON deposits (initiated_at) WHERE status = 'PENDING' AND psp_ref IS NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE deposits`.execute(db);
}
