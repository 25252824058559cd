import { sql, type Kysely } from 'kysely';

/**
 * Payments (payouts, refunds, later spends) as support and parties query them, and the PSP
 * webhooks received (what was applied, ignored or parked for a reference not known yet). The
 * scheduler reads both only to find work (PENDING payments, unprocessed or parked webhooks); it
 * decides on the streams.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE payments (
      id              uuid PRIMARY KEY,
      escrow_id       uuid NOT NULL,
      milestone_id    uuid,
      kind            text NOT NULL,
      amount          numeric NOT NULL,
      currency        text NOT NULL,
      status          text NOT NULL,
      psp_ref         text,
      beneficiary_id  text NOT NULL,
      reason          text NOT NULL,
      retry_of        uuid,
      retried_by      uuid,
      deposit_id      uuid,
      failure_reason  text,
      initiated_at    timestamptz NOT NULL,
      sent_at         timestamptz,
      settled_at      timestamptz,
      failed_at       timestamptz,
      updated_at      timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX payments_escrow_idx ON payments (escrow_id, initiated_at, id)`.execute(db);
  await sql`CREATE INDEX payments_pending_idx ON payments (initiated_at) WHERE status = 'PENDING'`.execute(
    db,
  );
  await sql`
    CREATE TABLE psp_webhooks (
      stream_id     text PRIMARY KEY,
      provider      text NOT NULL,
      event_id      text NOT NULL,
      kind          text NOT NULL,
      psp_ref       text,
      status        text NOT NULL,
      detail        text,
      received_at   timestamptz NOT NULL,
      processed_at  timestamptz
    )`.execute(db);
  await sql`CREATE INDEX psp_webhooks_open_idx ON psp_webhooks (received_at) WHERE status IN ('received', 'parked')`.execute(
    db,
  );
  await sql`CREATE INDEX escrows_deadline_idx ON escrows (deadline_at) WHERE status IN ('DRAFT', 'FUNDED', 'RELEASABLE')`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX escrows_deadline_idx`.execute(db);
  await sql`DROP TABLE psp_webhooks`.execute(db);
  await sql`DROP TABLE payments`.execute(db);
}
