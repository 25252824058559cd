/**
 * How proofs leave the API (`ProofRead`): the old service's fields (`id, escrow_id,
 * milestone_id, type, storage_url, sha256, metadata, status, created_at, updated_at, ai_*,
 * invoice_total_amount, invoice_currency`) plus the milestone's index, the file, why it waits for
 * review and its flags; for the frontend (FRONTEND-CONTRACT §2, A10) `proof_id` (= `id`),
 * `storage_key` (the upload's file id, null for a claim) and, for a file-backed proof,
 * `storage_url` as the path `/proofs/files/{file_id}`. Metadata is masked (KOBATELA-SPEC §4.9);
 * amounts are strings.
 */
import type { EscrowState, ProofState } from '@kob/domain';
import { iso } from '../../http/formats';
import { maskProofMetadata } from './proof-mask';

export interface ProofRead {
  id: string;
  /** The same as `id`, under the frontend's name. */
  proof_id: string;
  escrow_id: string;
  milestone_id: string;
  milestone_idx: number;
  type: string;
  file_id: string | null;
  /** The upload's file id (A10), null for a claim. */
  storage_key: string | null;
  /** A claim's URL as sent, or for an upload the path that serves it (`/proofs/files/{id}`). */
  storage_url: string | null;
  sha256: string;
  metadata: unknown;
  status: string;
  review_reasons: string[];
  flags: string[];
  /** What the server established: capture time and its source, GPS, device, disagreements. */
  evidence: unknown;
  near_duplicate_of: string | null;
  invoice_total_amount: string | null;
  invoice_currency: string | null;
  invoice_number: string | null;
  invoice_date: string | null;
  ocr_status: string | null;
  ai_risk_level: string | null;
  ai_score: string | null;
  ai_flags: string[] | null;
  ai_explanation: string | null;
  ai_checked_at: string | null;
  ai_reviewed_by: string | null;
  ai_reviewed_at: string | null;
  decision_note: string | null;
  created_at: string;
  updated_at: string;
}

const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

/** Where an upload is served (A10): a path, which needs a key (no signed links yet). */
export const proofFileUrl = (fileId: string) => `/proofs/files/${fileId}`;

export function proofRowView(r: Record<string, any>): ProofRead {
  return {
    id: r.id,
    proof_id: r.id,
    escrow_id: r.escrow_id,
    milestone_id: r.milestone_id,
    milestone_idx: r.milestone_idx,
    type: r.type,
    file_id: r.file_id,
    storage_key: r.file_id,
    storage_url: r.file_id === null ? r.storage_url : proofFileUrl(r.file_id),
    sha256: r.sha256,
    metadata: maskProofMetadata(r.metadata),
    status: r.status,
    review_reasons: r.review_reasons,
    flags: r.flags,
    evidence: r.evidence,
    near_duplicate_of: r.near_duplicate_of ?? null,
    invoice_total_amount: r.invoice_total_amount === null ? null : String(r.invoice_total_amount),
    invoice_currency: r.invoice_currency,
    invoice_number: r.invoice_number,
    invoice_date: r.invoice_date,
    ocr_status: r.ocr_status,
    ai_risk_level: r.ai_risk_level,
    ai_score: r.ai_score === null ? null : String(r.ai_score),
    ai_flags: r.ai_flags,
    ai_explanation: r.ai_explanation,
    ai_checked_at: isoOrNull(r.ai_checked_at),
    ai_reviewed_by: r.ai_reviewed_by,
    ai_reviewed_at: isoOrNull(r.ai_reviewed_at),
    decision_note: r.decision_note,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/**
 * A proof as a first submission answered it: the row's fields set by the submission (metadata,
 * evidence, invoice, OCR, AI), with what later decisions change (status, the review) as the
 * escrow stood right after that submission (`first`).
 */
export function asFirstAnswered(view: ProofRead, first: EscrowState, proofId: string): ProofRead {
  const p = first.proofs.find((x) => x.proofId === proofId);
  if (!p) return view;
  return {
    ...view,
    status: p.status,
    review_reasons: p.reviewReasons,
    flags: p.flags,
    ai_reviewed_by: null,
    ai_reviewed_at: null,
    decision_note: null,
    updated_at: iso(p.submittedAt),
  };
}

/**
 * A proof as its escrow stream knows it, for the moment before the read model has it (the
 * answer then says `X-Projection-Pending`): the fields the stream keeps, the others null.
 */
export function proofStateView(s: EscrowState, p: ProofState): ProofRead {
  const milestone = s.milestones.find((m) => m.milestoneId === p.milestoneId);
  return {
    id: p.proofId,
    proof_id: p.proofId,
    escrow_id: s.escrowId,
    milestone_id: p.milestoneId,
    milestone_idx: milestone?.sequenceIndex ?? 0,
    type: p.proofType,
    file_id: p.fileId,
    storage_key: p.fileId,
    storage_url: p.fileId === null ? p.storageUrl : proofFileUrl(p.fileId),
    sha256: p.sha256,
    metadata: null,
    status: p.status,
    review_reasons: p.reviewReasons,
    flags: p.flags,
    evidence: null,
    near_duplicate_of: null,
    invoice_total_amount: null,
    invoice_currency: null,
    invoice_number: null,
    invoice_date: null,
    ocr_status: null,
    ai_risk_level: p.aiRiskLevel,
    ai_score: null,
    ai_flags: null,
    ai_explanation: null,
    ai_checked_at: null,
    ai_reviewed_by: null,
    ai_reviewed_at: null,
    decision_note: null,
    created_at: iso(p.submittedAt),
    updated_at: iso(p.submittedAt),
  };
}
