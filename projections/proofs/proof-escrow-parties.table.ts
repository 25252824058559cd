/** The `proof_escrow_parties` read model (migrations/read-models). */
import type { Selectable } from 'kysely';

export interface ProofEscrowPartiesTable {
  client_id: string;
  escrow_id: string;
  provider_id: string;
}

export type ProofEscrowPartyRow = Selectable<ProofEscrowPartiesTable>;
