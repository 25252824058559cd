/**
 * How an escrow leaves the provider's inbox (FRONTEND-CONTRACT.md §5.1): who sends it, its money
 * and deadline, and the milestone a proof is for now with the proof kinds it takes.
 */
import { type EscrowStatus, isTerminal } from '@kob/domain';
import { atScale, iso } from '../../http/formats';

export interface ProviderInboxItem {
  escrow_id: string;
  escrow_status: string;
  /** The client's username (null only while the users read model has not caught up). */
  sender_display: string | null;
  amount_total: string;
  currency: string;
  deadline_at: string | null;
  /** The lowest milestone not PAID on an open escrow, as the summary's (§4.5). */
  current_submittable_milestone_idx: number | null;
  /** That milestone's proof kind; both families when it has none (D5); none without one. */
  required_proof_kinds: string[];
  /** When the escrow last changed. */
  last_update_at: string;
}

/** What a milestone without a proof kind accepts (FRONTEND-CONTRACT.md D5). */
export const KINDLESS_PROOF_KINDS: readonly string[] = ['PHOTO', 'DOCUMENT'];

/** The milestone fields the inbox reads (the lowest one not PAID). */
export interface InboxMilestone {
  sequence_index: number;
  proof_kind: string | null;
}

export function providerInboxItemView(
  r: Record<string, any>,
  lowestUnpaid: InboxMilestone | undefined,
): ProviderInboxItem {
  const current = isTerminal(r.status as EscrowStatus) ? undefined : lowestUnpaid;
  return {
    escrow_id: r.id,
    escrow_status: r.status,
    sender_display: r.sender_display ?? null,
    amount_total: atScale(r.amount_total, r.currency, r.scale),
    currency: r.currency,
    deadline_at: r.deadline_at === null ? null : iso(r.deadline_at),
    current_submittable_milestone_idx: current?.sequence_index ?? null,
    required_proof_kinds: !current
      ? []
      : current.proof_kind === null
        ? [...KINDLESS_PROOF_KINDS]
        : [current.proof_kind],
    last_update_at: iso(r.updated_at),
  };
}
