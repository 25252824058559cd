/**
 * The platform's own tables (not read models): projection checkpoints, parked events, service
 * secrets. Typed from migrations/read-models.
 */
import type { Generated, Kysely, Selectable } from 'kysely';

export interface ProjectionCheckpointsTable {
  checkpoint_pos: Generated<string>;
  checkpoint_tx: Generated<string>;
  events_applied: Generated<string>;
  halted_at: Date | null;
  halted_reason: string | null;
  name: string;
  status: Generated<string>;
  updated_at: Generated<Date>;
  version: number;
}

export interface ProjectionParkedEventsTable {
  attempts: Generated<number>;
  error: string;
  event_id: string;
  parked_at: Generated<Date>;
  position_pos: string;
  position_tx: string;
  projector: string;
  replayed_at: Date | null;
  revision: string;
  stream_id: string;
  type: string;
}

export interface JobCheckpointsTable {
  name: string;
  position_pos: string;
  position_tx: string;
  updated_at: Generated<Date>;
}

export interface ServiceSecretsTable {
  created_at: Generated<Date>;
  name: string;
  value: string;
}

export interface PlatformTables {
  job_checkpoints: JobCheckpointsTable;
  projection_checkpoints: ProjectionCheckpointsTable;
  projection_parked_events: ProjectionParkedEventsTable;
  service_secrets: ServiceSecretsTable;
}

/**
 * The same connection seen through the platform's tables only. Kysely's schema parameter is
 * invariant, so a handle on more tables does not assign to a reader of fewer by itself; the
 * bound keeps this one-way (a handle that lacks these tables does not compile).
 */
export function platformTablesOf<DB extends PlatformTables>(
  db: Kysely<DB>,
): Kysely<PlatformTables> {
  return db as unknown as Kysely<PlatformTables>;
}
