import { sql, type Kysely } from 'kysely';

/**
 * Where a scheduler job that scans `$all` has got to (`multi-stream-recovery` on EventStoreDB):
 * the last event it judged, so that a new leader goes on from there rather than from the start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE job_checkpoints (
      name          text PRIMARY KEY,
      position_tx   xid8 NOT NULL,
      position_pos  bigint NOT NULL,
      updated_at    timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE job_checkpoints`.execute(db);
}
