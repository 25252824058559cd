/** The `escrows` read model (migrations/read-models). */
import type { Generated, Selectable } from 'kysely';

export interface EscrowsTable {
  amount_total: string;
  client_id: string;
  created_at: Date;
  currency: string;
  deadline_at: Date;
  deposited: Generated<string>;
  domain: string;
  id: string;
  provider_id: string;
  release_conditions: unknown;
  scale: number;
  status: string;
  updated_at: Date;
}

export type EscrowRow = Selectable<EscrowsTable>;
