import { sql, type Kysely } from 'kysely';

/** Escrows and their milestones as support and parties query them (money as numeric). */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE escrows (
      id                  uuid PRIMARY KEY,
      client_id           uuid NOT NULL,
      provider_id         uuid NOT NULL,
      amount_total        numeric NOT NULL,
      currency            text NOT NULL,
      scale               integer NOT NULL,
      status              text NOT NULL,
      domain              text NOT NULL,
      release_conditions  jsonb NOT NULL,
      deadline_at         timestamptz NOT NULL,
      deposited           numeric NOT NULL DEFAULT 0,
      created_at          timestamptz NOT NULL,
      updated_at          timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX escrows_client_idx ON escrows (client_id, created_at)`.execute(db);
  await sql`CREATE INDEX escrows_provider_idx ON escrows (provider_id, created_at)`.execute(db);
  await sql`CREATE INDEX escrows_status_idx ON escrows (status, created_at)`.execute(db);
  await sql`CREATE INDEX escrows_created_idx ON escrows (created_at, id)`.execute(db);
  await sql`
    CREATE TABLE milestones (
      id                  uuid PRIMARY KEY,
      escrow_id           uuid NOT NULL,
      label               text NOT NULL,
      amount              numeric NOT NULL,
      currency            text NOT NULL,
      sequence_index      integer NOT NULL,
      status              text NOT NULL,
      proof_kind          text NOT NULL,
      proof_requirements  jsonb NOT NULL,
      geofence_lat        double precision,
      geofence_lng        double precision,
      geofence_radius_m   double precision,
      created_at          timestamptz NOT NULL,
      UNIQUE (escrow_id, sequence_index)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE milestones`.execute(db);
  await sql`DROP TABLE escrows`.execute(db);
}
