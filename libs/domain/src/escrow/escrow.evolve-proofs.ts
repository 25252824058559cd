/** Folds the proof events of an escrow. */
import type { EscrowEvent } from './escrow.events';
import { withMilestone } from './escrow.fold';
import type { EscrowState, ProofState } from './escrow.state-model';

function withProof(state: EscrowState, proofId: string, change: Partial<ProofState>): ProofState[] {
  return state.proofs.map((p) => (p.proofId === proofId ? { ...p, ...change } : p));
}

/** Folds proof events (null for any other event). */
export function evolveProof(state: EscrowState, event: EscrowEvent): EscrowState | null {
  switch (event.type) {
    case 'proof.submitted.v1': {
      const d = event.data;
      const proof: ProofState = {
        proofId: d.proofId,
        milestoneId: d.milestoneId,
        proofType: d.proofType,
        sha256: d.sha256,
        status: 'PENDING',
        reviewReasons: d.reviewReasons,
        flags: d.flags,
        aiRiskLevel: null,
        submittedAt: d.submittedAt,
        fileId: d.fileId ?? null,
        storageUrl: d.storageUrl ?? null,
      };
      return {
        ...state,
        proofs: [...state.proofs, proof],
        milestones: withMilestone(state, d.milestoneId, 'PENDING_REVIEW'),
      };
    }
    case 'proof.ai_assessed.v1':
      return {
        ...state,
        proofs: withProof(state, event.data.proofId, { aiRiskLevel: event.data.riskLevel }),
      };
    case 'proof.approved.v1':
      return { ...state, proofs: withProof(state, event.data.proofId, { status: 'APPROVED' }) };
    case 'proof.rejected.v1':
      return { ...state, proofs: withProof(state, event.data.proofId, { status: 'REJECTED' }) };
    case 'proof.superseded.v1':
      return { ...state, proofs: withProof(state, event.data.proofId, { status: 'SUPERSEDED' }) };
    case 'proof.ocr_completed.v1':
      return state;
    default:
      return null;
  }
}
