import { sql, type Kysely } from 'kysely';

/**
 * Group commit (issue 16): `events_append_batch` writes the appends of several commands in one
 * statement, so in one transaction and one commit, while each command's expected revisions are
 * still checked on their own: a command whose heads are not the ones it expects (or one of whose
 * event ids is stored already) is refused alone and writes nothing, the others are written.
 *
 * Without subtransactions: a command's heads are all checked first, the ones it will write locked
 * (`FOR UPDATE`, conditions `FOR SHARE`), then written, so a refused command has written nothing;
 * then one INSERT writes the events of every command that passed, in the order given. What
 * cannot be checked ahead (a stream created, or an event id stored, by a transaction that
 * committed after the check; a deadlock) raises and fails the batch whole: nothing of it is
 * written and the caller writes its commands one by one, each with its own answer.
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
 * id of every event is the batch's: `pg_current_xact_id()`.
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
      events_n int := coalesce(array_length(ev_id, 1), 0);
      i int := 1;
      j int;
      k int;
      e int;
      next_ev int := 1;
      ev_first int[] := '{}';
      ev_stream text[];
      keep boolean[];
      stored uuid[];
      refused_at int;
      refused_why text;
      ok boolean;
      got_rev bigint;
      got_hash text;
      my_tx text := pg_current_xact_id()::text;
    BEGIN
      ev_stream := array_fill(NULL::text, ARRAY[events_n]);
      keep := array_fill(false, ARRAY[events_n]);
      FOR k IN 1 .. n LOOP
        ev_first[k] := next_ev;
        next_ev := next_ev + coalesce(item_events[k], 0);
      END LOOP;
      -- Event ids stored already: their commands are duplicates (one lookup for the batch).
      SELECT coalesce(array_agg(s.event_id), '{}') INTO stored
      FROM events s WHERE s.event_id = ANY (ev_id);
      WHILE i <= n LOOP
        j := i;
        WHILE j <= n AND item_command[j] = item_command[i] LOOP
          j := j + 1;
        END LOOP;
        refused_at := NULL;
        IF cardinality(stored) > 0 THEN
          FOR k IN i .. j - 1 LOOP
            IF item_kind[k] <> 'c' AND item_events[k] > 0
               AND ev_id[ev_first[k] : ev_first[k] + item_events[k] - 1] && stored THEN
              refused_at := k;
              refused_why := 'duplicate';
              EXIT;
            END IF;
          END LOOP;
        END IF;
        -- Every head the command expects, checked (and locked) before it writes any.
        IF refused_at IS NULL THEN
          FOR k IN i .. j - 1 LOOP
            IF item_kind[k] = 'c' THEN
              SELECT s.revision INTO got_rev FROM streams s WHERE s.stream_id = item_stream[k] FOR SHARE;
              ok := FOUND AND got_rev = item_expected[k];
            ELSIF item_kind[k] = 'x' THEN
              SELECT s.revision, s.head_hash INTO got_rev, got_hash
              FROM streams s WHERE s.stream_id = item_stream[k] FOR UPDATE;
              ok := FOUND AND got_rev = item_expected[k] AND got_hash = item_hash[k];
            ELSE
              ok := NOT EXISTS (SELECT 1 FROM streams s WHERE s.stream_id = item_stream[k]);
            END IF;
            IF NOT ok THEN
              refused_at := k;
              refused_why := 'conflict';
              EXIT;
            END IF;
          END LOOP;
        END IF;
        IF refused_at IS NULL THEN
          FOR k IN i .. j - 1 LOOP
            IF item_kind[k] = 'x' THEN
              UPDATE streams SET revision = item_last[k], head_hash = item_head[k], updated_at = now()
              WHERE stream_id = item_stream[k];
            ELSIF item_kind[k] = 'n' THEN
              -- A creator that committed since the check raises unique_violation: the batch
              -- fails whole and the caller writes its commands one by one.
              INSERT INTO streams (stream_id, revision, head_hash)
              VALUES (item_stream[k], item_last[k], item_head[k]);
            END IF;
            IF item_kind[k] <> 'c' THEN
              FOR e IN ev_first[k] .. ev_first[k] + item_events[k] - 1 LOOP
                keep[e] := true;
                ev_stream[e] := item_stream[k];
              END LOOP;
            END IF;
          END LOOP;
        ELSE
          item := refused_at; pos := NULL; failure := refused_why; tx := my_tx;
          RETURN NEXT;
        END IF;
        i := j;
      END LOOP;
      -- The events of every command written, in one statement, in the order given.
      RETURN QUERY
        WITH written AS (
          INSERT INTO events (event_id, stream_id, revision, type, data, metadata)
          SELECT w.id, ev_stream[w.ord], w.rev, w.type, w.data, w.meta
          FROM unnest(ev_id, ev_rev, ev_type, ev_data, ev_meta)
            WITH ORDINALITY AS w(id, rev, type, data, meta, ord)
          WHERE keep[w.ord]
          ORDER BY w.ord
          RETURNING events.position AS p, events.stream_id AS sid
        )
        SELECT array_position(item_stream, written.sid), max(written.p), NULL::text, my_tx
        FROM written GROUP BY written.sid;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP FUNCTION events_append_batch(int[], text[], text[], bigint[], text[], bigint[], text[], int[], uuid[], bigint[], text[], jsonb[], jsonb[])`.execute(
    db,
  );
}
