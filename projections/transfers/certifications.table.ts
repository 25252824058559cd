/** The `certifications` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface CertificationsTable {
  certified_at: Timestamp;
  level: string;
  user_id: string;
}

export type CertificationRow = Selectable<CertificationsTable>;
