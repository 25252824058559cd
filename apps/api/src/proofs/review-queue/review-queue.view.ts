/**
 * A review-queue item (FRONTEND-CONTRACT §6.1): the proof as `ProofRead` says it, with the
 * frontend's advisor fields. We have no advisors and decide payouts on the escrow stream, not
 * here: `advisor` and `payout_eligible` are null; `payout_blocked_reasons` are the proof's
 * review reasons while it is PENDING (what holds its payout), else none.
 */
import { type ProofRead, proofRowView } from '../shared/proofs.view';

export interface ReviewQueueItem extends ProofRead {
  advisor: null;
  payout_eligible: null;
  payout_blocked_reasons: string[];
}

export function reviewQueueItemView(row: Record<string, any>): ReviewQueueItem {
  const proof = proofRowView(row);
  return {
    ...proof,
    advisor: null,
    payout_eligible: null,
    payout_blocked_reasons: proof.status === 'PENDING' ? proof.review_reasons : [],
  };
}
