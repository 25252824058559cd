/**
 * The audit trail read model (projections/audit-log): one row per event with its data masked,
 * listed in `$all` order and filtered by stream, type, actor-label prefix and a start position.
 * The stream and type indexes end in the position, so a filtered page is read in order.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_log (
      event_id        uuid PRIMARY KEY,
      position_tx     xid8 NOT NULL,
      position_pos    bigint NOT NULL,
      stream_id       text NOT NULL,
      revision        bigint NOT NULL CHECK (revision >= 0),
      type            text NOT NULL,
      actor           jsonb NOT NULL,
      actor_label     text NOT NULL,
      occurred_at     timestamptz NOT NULL,
      recorded_at     timestamptz NOT NULL,
      correlation_id  text,
      data            jsonb NOT NULL
    )
  `.execute(db);
  await sql`
    CREATE UNIQUE INDEX audit_log_position_idx ON audit_log (position_tx, position_pos)
  `.execute(db);
  await sql`
    CREATE INDEX audit_log_stream_idx ON audit_log (stream_id, position_tx, position_pos)
  `.execute(db);
  await sql`
    CREATE INDEX audit_log_type_idx ON audit_log (type, position_tx, position_pos)
  `.execute(db);
  // text_pattern_ops: a LIKE 'prefix%' can use it whatever the database's collation.
  await sql`
    CREATE INDEX audit_log_actor_label_idx ON audit_log (actor_label text_pattern_ops)
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE audit_log`.execute(db);
}
