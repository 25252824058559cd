import { sql, type Kysely } from 'kysely';

/**
 * Events a projector could not apply and parked instead of halting (issue 12): which projector,
 * which event (id, stream, revision, type, `$all` position), the error, when. The projector's
 * checkpoint moves past a parked event, so one bad event never stops a read model; /health and
 * an alert show it, and `kobatela parked replay` applies it again once the projector is fixed
 * (`replayed_at` then records when; the row stays as the record of what happened). A projector
 * that guards money (the ledger) never parks: it halts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE projection_parked_events (
      projector      text NOT NULL,
      event_id       uuid NOT NULL,
      stream_id      text NOT NULL,
      revision       bigint NOT NULL,
      type           text NOT NULL,
      position_tx    xid8 NOT NULL,
      position_pos   bigint NOT NULL,
      error          text NOT NULL,
      attempts       integer NOT NULL DEFAULT 1,
      parked_at      timestamptz NOT NULL DEFAULT now(),
      replayed_at    timestamptz,
      PRIMARY KEY (projector, event_id)
    )`.execute(db);
  await sql`
    CREATE INDEX projection_parked_events_open_idx ON projection_parked_events (projector, position_tx, position_pos)
    WHERE replayed_at IS NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE projection_parked_events`.execute(db);
}
