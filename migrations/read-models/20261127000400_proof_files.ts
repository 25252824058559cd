import { sql, type Kysely } from 'kysely';

/**
 * Uploaded proof files (`proof_file.uploaded.v1`), one row per upload: what the server read from
 * the bytes and who uploaded them. `GET /proofs/files/{id}` checks access here; `POST /proofs`
 * reads the record from its stream instead (this table may lag). Several rows may share one
 * sha256 (the same bytes uploaded twice): they point at one blob.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE proof_files (
      id                uuid PRIMARY KEY,
      sha256            text NOT NULL,
      size              bigint NOT NULL,
      mime              text NOT NULL,
      kind              text NOT NULL,
      width             integer,
      height            integer,
      page_count        integer,
      phash             text,
      exif              jsonb,
      uploader_user_id  uuid,
      uploader_key_id   uuid,
      uploaded_at       timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX proof_files_sha256_idx ON proof_files (sha256)`.execute(db);
  await sql`CREATE INDEX proof_files_uploader_idx ON proof_files (uploader_user_id, uploaded_at) WHERE uploader_user_id IS NOT NULL`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE proof_files`.execute(db);
}
