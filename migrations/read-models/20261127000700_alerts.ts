import { sql, type Kysely } from 'kysely';

/** Alerts (`alert.raised.v1`), one row each, for `GET /alerts?type=`. Owned by the alerts projector. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE alerts (
      id             uuid PRIMARY KEY,
      type           text NOT NULL,
      message        text NOT NULL,
      actor_user_id  uuid,
      payload        jsonb NOT NULL,
      actor          text NOT NULL,
      created_at     timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX alerts_created_idx ON alerts (created_at DESC, id)`.execute(db);
  await sql`CREATE INDEX alerts_type_idx ON alerts (type, created_at DESC, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE alerts`.execute(db);
}
