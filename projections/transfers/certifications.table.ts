/** The `certifications` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface CertificationsTable {
  certified_at: Date;
  level: string;
  user_id: string;
}

export type CertificationRow = Selectable<CertificationsTable>;
