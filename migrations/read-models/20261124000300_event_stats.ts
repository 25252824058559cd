import { sql, type Kysely } from 'kysely';

/** Counts of events per stream category and type: an additive read model for operators. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE event_stats (
      category     text NOT NULL,
      type         text NOT NULL,
      events       bigint NOT NULL,
      last_at      timestamptz NOT NULL,
      PRIMARY KEY (category, type)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE event_stats`.execute(db);
}
