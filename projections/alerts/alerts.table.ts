/** The `alerts` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface AlertsTable {
  actor: string;
  actor_user_id: string | null;
  created_at: Timestamp;
  id: string;
  message: string;
  payload: unknown;
  type: string;
}

export type AlertRow = Selectable<AlertsTable>;
