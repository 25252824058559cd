/** The `milestones` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface MilestonesTable {
  amount: string;
  created_at: Timestamp;
  currency: string;
  escrow_id: string;
  geofence_lat: number | null;
  geofence_lng: number | null;
  geofence_radius_m: number | null;
  id: string;
  label: string;
  /** Null: a kind-less milestone (D5). */
  proof_kind: string | null;
  proof_requirements: unknown;
  sequence_index: number;
  status: string;
}

export type MilestoneRow = Selectable<MilestonesTable>;
