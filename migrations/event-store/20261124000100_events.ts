import { sql, type Kysely } from 'kysely';

/**
 * The event store. `events` is append-only: a global position, a per-stream revision unique per
 * stream, and the writer's transaction id so that `$all` readers never skip an event committed
 * late (they read below pg_snapshot_xmin, ordered by (transaction_id, position)).
 * `streams` holds each stream's head: the expected-revision check is an UPDATE/INSERT on it, so
 * the database, not the application, decides who wins a race.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE streams (
      stream_id   text PRIMARY KEY,
      revision    bigint NOT NULL CHECK (revision >= 0),
      head_hash   text NOT NULL,
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE events (
      position        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
      event_id        uuid NOT NULL UNIQUE,
      stream_id       text NOT NULL,
      revision        bigint NOT NULL CHECK (revision >= 0),
      type            text NOT NULL,
      data            jsonb NOT NULL,
      metadata        jsonb NOT NULL,
      recorded_at     timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
    )`.execute(db);
  await sql`CREATE INDEX events_tx_position_idx ON events (transaction_id, position)`.execute(db);
  await sql`CREATE INDEX events_type_idx ON events (type, position)`.execute(db);
  // Append-only: updates and deletes are refused by the database itself.
  await sql`
    CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('kobatela.allow_event_tampering', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
      END IF;
      RAISE EXCEPTION 'events are append-only' USING ERRCODE = '55000';
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE events`.execute(db);
  await sql`DROP FUNCTION events_append_only()`.execute(db);
  await sql`DROP TABLE streams`.execute(db);
}
