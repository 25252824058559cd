import { sql, type Kysely } from 'kysely';

/**
 * Proofs as support and parties query them (`GET /proofs`, the review queue), with the review
 * reasons, flags, invoice fields and the AI columns; the escrow's parties are copied in so a
 * sender's list is one indexed query. The perceptual hash serves the near-duplicate flag, which
 * is a hint for a person (review), never a money decision.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE proofs (
      id                    uuid PRIMARY KEY,
      escrow_id             uuid NOT NULL,
      milestone_id          uuid NOT NULL,
      milestone_idx         integer NOT NULL,
      client_id             uuid NOT NULL,
      provider_id           uuid NOT NULL,
      type                  text NOT NULL,
      file_id               uuid,
      storage_url           text,
      sha256                text NOT NULL,
      phash                 text,
      metadata              jsonb,
      evidence              jsonb NOT NULL,
      status                text NOT NULL,
      review_reasons        jsonb NOT NULL,
      flags                 jsonb NOT NULL,
      invoice_total_amount  numeric,
      invoice_currency      text,
      invoice_number        text,
      invoice_date          text,
      ocr_status            text,
      ai_risk_level         text,
      ai_score              numeric,
      ai_flags              jsonb,
      ai_explanation        text,
      ai_checked_at         timestamptz,
      ai_reviewed_by        text,
      ai_reviewed_at        timestamptz,
      decision_note         text,
      submitted_by          text NOT NULL,
      created_at            timestamptz NOT NULL,
      updated_at            timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX proofs_status_idx ON proofs (status, created_at, id)`.execute(db);
  await sql`CREATE INDEX proofs_escrow_idx ON proofs (escrow_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX proofs_client_idx ON proofs (client_id, created_at)`.execute(db);
  await sql`CREATE INDEX proofs_provider_idx ON proofs (provider_id, created_at)`.execute(db);
  await sql`CREATE INDEX proofs_file_idx ON proofs (file_id) WHERE file_id IS NOT NULL`.execute(db);
  await sql`
    CREATE TABLE proof_escrow_parties (
      escrow_id    uuid PRIMARY KEY,
      client_id    uuid NOT NULL,
      provider_id  uuid NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE proof_escrow_parties`.execute(db);
  await sql`DROP TABLE proofs`.execute(db);
}
