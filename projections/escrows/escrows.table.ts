/** The `escrows` read model (migrations/read-models). */
import type { Generated, Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface EscrowsTable {
  amount_total: string;
  client_id: string;
  created_at: Timestamp;
  currency: string;
  deadline_at: Timestamp;
  deposited: Generated<string>;
  domain: string;
  id: string;
  provider_id: string;
  release_conditions: unknown;
  scale: number;
  status: string;
  updated_at: Timestamp;
}

export type EscrowRow = Selectable<EscrowsTable>;
