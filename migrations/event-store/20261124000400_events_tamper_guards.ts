import { sql, type Kysely } from 'kysely';

/**
 * Harder to rewrite history: no session setting bypasses the append-only rule any more (only a
 * superuser's `session_replication_role = replica` skips triggers), TRUNCATE is refused on both
 * tables, and a stream head can only move forward (no deleting a head, no winding it back to hide
 * removed events). The hash chain then detects what these guards cannot stop; see README
 * ("Integrity and its limits").
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'events are append-only' USING ERRCODE = '55000';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`.execute(db);
  await sql`
    CREATE FUNCTION streams_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.stream_id = OLD.stream_id AND NEW.revision > OLD.revision THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'stream heads only move forward' USING ERRCODE = '55000';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER streams_forward_only BEFORE UPDATE OR DELETE ON streams
    FOR EACH ROW EXECUTE FUNCTION streams_forward_only()`.execute(db);
  await sql`
    CREATE TRIGGER streams_no_truncate BEFORE TRUNCATE ON streams
    FOR EACH STATEMENT EXECUTE FUNCTION streams_forward_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER streams_no_truncate ON streams`.execute(db);
  await sql`DROP TRIGGER streams_forward_only ON streams`.execute(db);
  await sql`DROP FUNCTION streams_forward_only()`.execute(db);
  await sql`DROP TRIGGER events_no_truncate ON events`.execute(db);
}
