/** The `proofs` read model (migrations/read-models). */
import type { Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface ProofsTable {
  ai_checked_at: Timestamp | null;
  ai_explanation: string | null;
  ai_flags: unknown | null;
  ai_reviewed_at: Timestamp | null;
  ai_reviewed_by: string | null;
  ai_risk_level: string | null;
  ai_score: string | null;
  client_id: string;
  created_at: Timestamp;
  decision_note: string | null;
  escrow_id: string;
  evidence: unknown;
  file_id: string | null;
  flags: unknown;
  id: string;
  invoice_currency: string | null;
  invoice_date: string | null;
  invoice_number: string | null;
  invoice_total_amount: string | null;
  metadata: unknown | null;
  milestone_id: string;
  milestone_idx: number;
  near_duplicate_of: string | null;
  ocr_status: string | null;
  phash: string | null;
  provider_id: string;
  review_reasons: unknown;
  sha256: string;
  status: string;
  storage_url: string | null;
  submitted_by: string;
  type: string;
  updated_at: Timestamp;
}

export type ProofRow = Selectable<ProofsTable>;
