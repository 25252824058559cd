/**
 * Proofs on the escrow stream (KOBATELA-SPEC §4.4, §4.9, API-RULES.md §2's proof rows):
 * - submit: only for the lowest open milestone while it is WAITING (sequencing §4.3), never on a
 *   closed escrow; the same file (sha256) twice on one escrow is a duplicate (across escrows the
 *   handler's `proof-sha-…` reservation refuses it); the evidence rules decide between a 422,
 *   review, or approval at once, which pays the milestone through the same approve-and-pay
 *   decision as a client's release; not enough held money keeps the proof in review with reason
 *   `INSUFFICIENT_ESCROW_BALANCE` (the old B24 refused the proof);
 * - review: approve pays (409 `INSUFFICIENT_ESCROW_BALANCE` stores nothing), a `warning` or
 *   `suspect` AI risk needs a note, `unavailable` does not (B23); reject returns the milestone to
 *   WAITING so a new proof can be sent (B9); repeats append nothing; contrary decisions are 409;
 * - supersede: a pending proof whose milestone was paid another way, or whose escrow closed.
 */
import { DomainError, canonicalJson } from '@kob/kernel';
import type { ReviewProof, SubmitProof } from './escrow.commands';
import { approveAndPay } from './escrow.closing';
import type { EscrowEvent, ProofSubmittedData } from './escrow.events';
import { proofFamily, proofVerdict } from './escrow.proof-rules';
import { open } from './escrow.rules';
import {
  type EscrowState,
  type MilestoneState,
  type ProofState,
  evolveEscrow,
  lowestOpenMilestone,
  money,
} from './escrow.state';
import * as v from './escrow.validate';

export const proofLimits = {
  proofTypeLengthMax: 50,
  storageUrlLengthMax: 1024,
  noteLengthMax: 2000,
  /** Client metadata is a few facts about a proof, not a payload: kept small in events. */
  metadataCharactersMax: 16_384,
} as const;

/** Refuses client metadata larger than the limit (measured as canonical JSON). */
export function assertProofMetadataSize(metadata: Record<string, unknown> | null): void {
  if (metadata === null) return;
  const size = canonicalJson(metadata).length;
  if (size > proofLimits.metadataCharactersMax) {
    throw v.invalid(
      'metadata',
      `must be at most ${proofLimits.metadataCharactersMax} characters as JSON (got ${size})`,
    );
  }
}
const SHA256_RE = /^[0-9a-f]{64}$/;

/** The milestone a new proof may target, or the error that says why not. */
export function proofTarget(state: EscrowState, sequenceIndex: number): MilestoneState {
  open(state);
  const m = state.milestones.find((x) => x.sequenceIndex === sequenceIndex);
  if (!m)
    throw new DomainError(
      'MILESTONE_NOT_FOUND',
      'no milestone with this index on this escrow',
      'not_found',
    );
  const lowest = lowestOpenMilestone(state);
  if (!lowest)
    throw new DomainError(
      'NO_OPEN_MILESTONE',
      'every milestone of this escrow is paid',
      'conflict',
    );
  if (lowest.milestoneId !== m.milestoneId) {
    throw new DomainError('SEQUENCE_ERROR', 'Previous milestone not paid.', 'conflict', {
      sequenceIndex,
      openSequenceIndex: lowest.sequenceIndex,
    });
  }
  if (m.status !== 'WAITING') {
    throw new DomainError('MILESTONE_NOT_WAITING', `the milestone is ${m.status}`, 'conflict', {
      status: m.status,
    });
  }
  return m;
}

function fold(state: EscrowState, events: EscrowEvent[]): EscrowState {
  return events.reduce(evolveEscrow, state);
}

function optionalEvents(command: SubmitProof): EscrowEvent[] {
  const { escrowId, proofId } = command;
  const events: EscrowEvent[] = [];
  if (command.ocr)
    events.push({
      type: 'proof.ocr_completed.v1',
      data: { escrowId, proofId, ...command.ocr, completedAt: command.now },
    });
  if (command.ai)
    events.push({ type: 'proof.ai_assessed.v1', data: { escrowId, proofId, ...command.ai } });
  return events;
}

export function submitProof(command: SubmitProof, state: EscrowState): EscrowEvent[] {
  if (state.proofs.some((p) => p.proofId === command.proofId)) return [];
  const milestone = proofTarget(state, command.sequenceIndex);
  const nowMs = v.nowMs(command.now);
  const proofType = v.requiredText(command.proofType, 'type', proofLimits.proofTypeLengthMax);
  const family = proofFamily(milestone.proofKind, proofType, command.fileKind);
  if (!SHA256_RE.test(command.sha256))
    throw v.invalid('sha256', 'must be 64 lower-case hex characters');
  v.optionalText(command.storageUrl, 'storage_url', proofLimits.storageUrlLengthMax);
  assertProofMetadataSize(command.metadata);
  if (state.proofs.some((p) => p.sha256 === command.sha256)) {
    throw new DomainError('PROOF_DUPLICATE', 'this file was already used as a proof', 'conflict', {
      sha256: command.sha256,
    });
  }
  const verdict = proofVerdict({
    milestone,
    family,
    evidence: command.evidence,
    metadata: command.metadata,
    rules: command.rules,
    nowMs,
    nearDuplicateOf: command.nearDuplicateOf,
  });
  if (verdict.reject) throw verdict.reject;
  const data = submittedData(command, state, milestone, proofType, verdict);
  const extra = optionalEvents(command);
  if (verdict.reviewReasons.length > 0) return [{ type: 'proof.submitted.v1', data }, ...extra];
  if (money(state, milestone.amount).gt(money(state, state.held))) {
    // Clean, but the escrow cannot pay yet: stored for review instead of refused (B24).
    const waiting = { ...data, reviewReasons: ['INSUFFICIENT_ESCROW_BALANCE'] };
    return [{ type: 'proof.submitted.v1', data: waiting }, ...extra];
  }
  const approved: EscrowEvent = {
    type: 'proof.approved.v1',
    data: {
      escrowId: state.escrowId,
      proofId: command.proofId,
      milestoneId: milestone.milestoneId,
      by: 'auto',
      note: null,
      reviewedBy: null,
      approvedAt: command.now,
    },
  };
  const before: EscrowEvent[] = [{ type: 'proof.submitted.v1', data }, ...extra, approved];
  const pay = {
    type: 'ApproveAndPayMilestone' as const,
    escrowId: state.escrowId,
    milestoneId: milestone.milestoneId,
    paymentId: command.paymentId,
    source: 'proof' as const,
    now: command.now,
  };
  return [...before, ...approveAndPay(pay, fold(state, before))];
}

/** The `proof.submitted.v1` data of an accepted submission. */
function submittedData(
  command: SubmitProof,
  state: EscrowState,
  milestone: MilestoneState,
  proofType: string,
  verdict: {
    flags: ProofSubmittedData['flags'];
    reviewReasons: ProofSubmittedData['reviewReasons'];
  },
): ProofSubmittedData {
  return {
    escrowId: state.escrowId,
    proofId: command.proofId,
    milestoneId: milestone.milestoneId,
    sequenceIndex: milestone.sequenceIndex,
    proofType,
    fileId: command.fileId,
    storageUrl: command.storageUrl,
    sha256: command.sha256,
    phash: command.phash,
    metadata: command.metadata,
    evidence: command.evidence,
    invoice: command.invoice,
    nearDuplicateOf: command.nearDuplicateOf,
    flags: verdict.flags,
    reviewReasons: verdict.reviewReasons,
    submittedBy: command.submittedBy,
    submittedAt: command.now,
  };
}

function proofConflict(code: string, proofId: string, status: string): DomainError {
  return new DomainError(code, `the proof is ${status}`, 'conflict', { proofId, status });
}

export function reviewProof(command: ReviewProof, state: EscrowState): EscrowEvent[] {
  const proof = state.proofs.find((p) => p.proofId === command.proofId);
  if (!proof) throw new DomainError('PROOF_NOT_FOUND', 'Proof not found.', 'not_found');
  v.nowMs(command.now);
  const note = v.optionalText(command.note, 'note', proofLimits.noteLengthMax);
  const { escrowId, proofId } = command;
  const milestoneId = proof.milestoneId;
  if (command.decision === 'reject') return rejectProof(command, state, proof, note);
  if (proof.status === 'APPROVED') return [];
  if (proof.status === 'REJECTED')
    throw proofConflict('PROOF_ALREADY_REJECTED', proofId, proof.status);
  if (proof.status === 'SUPERSEDED') throw proofConflict('PROOF_SUPERSEDED', proofId, proof.status);
  open(state);
  const risky = proof.aiRiskLevel === 'warning' || proof.aiRiskLevel === 'suspect';
  if (risky && (note === null || note.trim() === '')) {
    throw new DomainError(
      'AI_REVIEW_NOTE_REQUIRED',
      `the AI advisor rated this proof ${proof.aiRiskLevel}: approving it needs a note`,
      'bad_request',
      {
        ai_risk_level: proof.aiRiskLevel,
      },
    );
  }
  const approved: EscrowEvent = {
    type: 'proof.approved.v1',
    data: {
      escrowId,
      proofId,
      milestoneId,
      by: 'review',
      note,
      reviewedBy: command.reviewedBy,
      approvedAt: command.now,
    },
  };
  const pay = {
    type: 'ApproveAndPayMilestone' as const,
    escrowId,
    milestoneId,
    paymentId: command.paymentId,
    source: 'proof' as const,
    now: command.now,
  };
  // Refused (not enough held, out of sequence) before anything is stored.
  return [approved, ...approveAndPay(pay, fold(state, [approved]))];
}

/** A review that rejects: the milestone waits for another proof. */
function rejectProof(
  command: ReviewProof,
  state: EscrowState,
  proof: ProofState,
  note: string | null,
): EscrowEvent[] {
  const { escrowId, proofId } = command;
  const milestoneId = proof.milestoneId;
  if (proof.status === 'REJECTED') return [];
  if (proof.status === 'APPROVED')
    throw proofConflict('PROOF_ALREADY_APPROVED', proofId, proof.status);
  if (proof.status === 'SUPERSEDED') throw proofConflict('PROOF_SUPERSEDED', proofId, proof.status);
  open(state);
  return [
    {
      type: 'proof.rejected.v1',
      data: {
        escrowId,
        proofId,
        milestoneId,
        note,
        reviewedBy: command.reviewedBy,
        rejectedAt: command.now,
      },
    },
    {
      type: 'milestone.reopened.v1',
      data: { escrowId, milestoneId, proofId, reopenedAt: command.now },
    },
  ];
}
