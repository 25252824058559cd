import { sql, type Kysely } from 'kysely';

/**
 * One row per projector: where it is in `$all` (transaction id, position), its version, and
 * whether it halted on a broken invariant (shown in /health until fixed and rebuilt).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE projection_checkpoints (
      name            text PRIMARY KEY,
      version         integer NOT NULL,
      checkpoint_tx   xid8 NOT NULL DEFAULT '0',
      checkpoint_pos  bigint NOT NULL DEFAULT 0,
      events_applied  bigint NOT NULL DEFAULT 0,
      status          text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'halted')),
      halted_reason   text,
      halted_at       timestamptz,
      updated_at      timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE projection_checkpoints`.execute(db);
}
