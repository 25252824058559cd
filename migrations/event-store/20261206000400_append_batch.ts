import { sql, type Kysely } from 'kysely';

/**
 * Group commit (issue 16): `events_append_batch` writes the appends of several commands in one
 * statement, so in one transaction and one commit, while each command's expected revisions are
 * still checked on their own: each command runs in a block of its own (a subtransaction), and a
 * command whose head check fails (or whose event id is already stored) is rolled back alone and
 * reported, the others commit.
 *
 * The caller (libs/event-store/src/postgres/append-batcher.ts) passes flat arrays:
 * - one entry per item: a command's condition on a stream it only read (`c`), or its append to a
 *   new stream (`n`) or to an existing one (`x`). The items of a command are adjacent and in
 *   stream-id order (the lock order of every append); commands of one batch never share a stream.
 * - `item_expected`: the revision a condition or an `x` append expects; `item_hash`: the head hash
 *   an `x` append expects; `item_last` and `item_head`: the stream's revision and head hash after
 *   the append (the hash chain is computed by the caller, as for a single append);
 *   `item_events`: how many of the event arrays' entries, taken in order, the append writes.
 *
 * It returns one row per append written (its item and its last event's position), and one row
 * per command refused (the item that refused it and `conflict` or `duplicate`). The transaction
 * id of every event is the batch's (top-level) transaction: `pg_current_xact_id()`.
 * SECURITY INVOKER: it runs with the service role's own rights on `events` and `streams`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION events_append_batch(
      item_command int[], item_kind text[], item_stream text[], item_expected bigint[],
      item_hash text[], item_last bigint[], item_head text[], item_events int[],
      ev_id uuid[], ev_rev bigint[], ev_type text[], ev_data jsonb[], ev_meta jsonb[]
    ) RETURNS TABLE (item int, pos bigint, failure text, tx text)
    LANGUAGE plpgsql AS $$
    DECLARE
      n int := coalesce(array_length(item_command, 1), 0);
      i int := 1;
      j int;
      k int;
      at int;
      next_ev int := 1;
      cmd_ev int;
      cmd_events int;
      got bigint;
      last_pos bigint;
      positions bigint[];
      refused text;
      failed_constraint text;
      my_tx text := pg_current_xact_id()::text;
    BEGIN
      WHILE i <= n LOOP
        j := i;
        cmd_events := 0;
        WHILE j <= n AND item_command[j] = item_command[i] LOOP
          cmd_events := cmd_events + coalesce(item_events[j], 0);
          j := j + 1;
        END LOOP;
        cmd_ev := next_ev;
        positions := '{}';
        refused := NULL;
        at := i;
        BEGIN
          FOR k IN i .. j - 1 LOOP
            at := k;
            IF item_kind[k] = 'c' THEN
              SELECT s.revision INTO got FROM streams s WHERE s.stream_id = item_stream[k] FOR SHARE;
              IF got IS DISTINCT FROM item_expected[k] THEN
                RAISE EXCEPTION 'stream % is not at revision %', item_stream[k], item_expected[k]
                  USING ERRCODE = 'KB409';
              END IF;
              CONTINUE;
            END IF;
            IF item_kind[k] = 'n' THEN
              INSERT INTO streams (stream_id, revision, head_hash)
              VALUES (item_stream[k], item_last[k], item_head[k])
              ON CONFLICT (stream_id) DO NOTHING;
            ELSE
              UPDATE streams SET revision = item_last[k], head_hash = item_head[k], updated_at = now()
              WHERE stream_id = item_stream[k] AND revision = item_expected[k] AND head_hash = item_hash[k];
            END IF;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'stream % is not at the expected head', item_stream[k]
                USING ERRCODE = 'KB409';
            END IF;
            WITH written AS (
              INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
              SELECT e.id, item_stream[k], e.rev, e.type, e.data, e.meta
              FROM unnest(
                ev_id[cmd_ev : cmd_ev + item_events[k] - 1],
                ev_rev[cmd_ev : cmd_ev + item_events[k] - 1],
                ev_type[cmd_ev : cmd_ev + item_events[k] - 1],
                ev_data[cmd_ev : cmd_ev + item_events[k] - 1],
                ev_meta[cmd_ev : cmd_ev + item_events[k] - 1]
              ) WITH ORDINALITY AS e(id, rev, type, data, meta, ord)
              ORDER BY e.ord
              RETURNING position
            )
            SELECT max(written.position) INTO last_pos FROM written;
            positions[k] := last_pos;
            cmd_ev := cmd_ev + item_events[k];
          END LOOP;
        EXCEPTION
          WHEN SQLSTATE 'KB409' THEN
            refused := 'conflict';
          WHEN unique_violation THEN
            GET STACKED DIAGNOSTICS failed_constraint = CONSTRAINT_NAME;
            refused := CASE WHEN failed_constraint = 'events_event_id_key' THEN 'duplicate' ELSE 'conflict' END;
        END;
        IF refused IS NULL THEN
          FOR k IN i .. j - 1 LOOP
            IF item_kind[k] <> 'c' THEN
              item := k; pos := positions[k]; failure := NULL; tx := my_tx;
              RETURN NEXT;
            END IF;
          END LOOP;
        ELSE
          item := at; pos := NULL; failure := refused; tx := my_tx;
          RETURN NEXT;
        END IF;
        next_ev := next_ev + cmd_events;
        i := j;
      END LOOP;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION events_append_batch(int[], text[], text[], bigint[], text[], bigint[], text[], int[], uuid[], bigint[], text[], jsonb[], jsonb[])`.execute(
    db,
  );
}
