/**
 * The decisions that move money out of an escrow's held balance (API-RULES.md §2):
 * - approve-and-pay: a milestone's payout, for the client's release (only the lowest open
 *   milestone) and, from the proofs issue, an approved proof; a repeat appends nothing;
 * - client-approve (FUNDED, RELEASABLE): unpaid milestones in order while the held balance
 *   covers them, then the rest as one payout; RELEASED;
 * - client-reject: the held balance back to the client; DRAFT → CANCELLED, FUNDED/RELEASABLE →
 *   REFUNDED;
 * - check-deadline: acts only when due; `on_deadline` release/refund/none, and a DRAFT escrow
 *   is cancelled with its refund whatever `on_deadline` says.
 * Payouts and refunds start here as `payment.initiated.v1`; the PSP is called by the handler
 * after the append, never in here.
 */
import { DomainError, childId, isUuid, assert } from '@kob/kernel';
import type {
  ApproveAndPayMilestone,
  CheckDeadline,
  ClientApprove,
  ClientReject,
} from './escrow.commands';
import type {
  ApprovalSource,
  CloseReason,
  EscrowEvent,
  PaymentReason,
  ReleaseReason,
} from './escrow.events';
import {
  badTransition,
  initiation,
  insufficient,
  notFound,
  open,
  supersededProofs,
} from './escrow.rules';
import { type EscrowState, lowestOpenMilestone, money } from './escrow.state';
import * as v from './escrow.validate';

function milestoneNotFound(): DomainError {
  return new DomainError('MILESTONE_NOT_FOUND', 'no such milestone on this escrow', 'not_found');
}

export function approveAndPay(command: ApproveAndPayMilestone, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  const m = state.milestones.find((x) => x.milestoneId === command.milestoneId);
  if (!m) throw milestoneNotFound();
  // A repeat: the payout exists (sent, pending, or failed and owed); the handler answers it.
  if (m.status === 'PAID' || m.status === 'PAYING') return [];
  open(state);
  const lowest = lowestOpenMilestone(state);
  assert(lowest, 'an unpaid milestone is open');
  if (lowest.milestoneId !== m.milestoneId) {
    throw new DomainError(
      'SEQUENCE_ERROR',
      'a milestone with a lower sequence index is still open',
      'conflict',
      {
        milestoneId: m.milestoneId,
        sequenceIndex: m.sequenceIndex,
        openSequenceIndex: lowest.sequenceIndex,
      },
    );
  }
  if (money(state, m.amount).gt(money(state, state.held))) throw insufficient(state, m.amount);
  return [
    // A proof still in review on this milestone is settled by this payout (§2's release row).
    ...supersededProofs(state, [m.milestoneId], 'milestone_paid', command.now),
    {
      type: 'milestone.approved.v1',
      data: {
        escrowId: state.escrowId,
        milestoneId: m.milestoneId,
        source: command.source,
        approvedAt: command.now,
      },
    },
    initiation(state, {
      paymentId: command.paymentId,
      kind: 'payout',
      amount: m.amount,
      milestoneId: m.milestoneId,
      reason: command.source === 'release' ? 'milestone_release' : 'proof_approval',
      held: state.held,
      now: command.now,
    }),
  ];
}

/**
 * How an escrow is closed (released or refunded): the closing command's id seed (the payments'
 * ids derive from it) and time, why, and the client's note.
 */
interface Closing<Reason> {
  seed: string;
  now: string;
  reason: Reason;
  note: string | null;
}

function closing<Reason>(
  command: { idSeed: string; now: string },
  reason: Reason,
  note: string | null = null,
): Closing<Reason> {
  assert(isUuid(command.idSeed), 'idSeed must be a UUID');
  return { seed: command.idSeed, now: command.now, reason, note };
}

/**
 * Releases everything held: unpaid milestones in sequence order while the held balance covers
 * them (one that does not stops the walk: milestones are paid in order), then whatever remains
 * as one payout without a milestone, then RELEASED.
 */
function releaseAll(
  state: EscrowState,
  { seed, now, reason, note }: Closing<ReleaseReason>,
): EscrowEvent[] {
  const source: ApprovalSource = reason === 'deadline' ? 'deadline' : 'client_approve';
  const paymentReason: PaymentReason = reason === 'deadline' ? 'deadline' : 'client_approve';
  const unpaid = state.milestones
    .filter(
      (m) => m.status === 'WAITING' || m.status === 'PENDING_REVIEW' || m.status === 'APPROVED',
    )
    .sort((a, b) => a.sequenceIndex - b.sequenceIndex);
  const events: EscrowEvent[] = [];
  const paymentIds: string[] = [];
  let held = money(state, state.held);
  for (const m of unpaid) {
    if (money(state, m.amount).gt(held)) break;
    const paymentId = childId(seed, paymentIds.length);
    if (m.status !== 'APPROVED') {
      events.push({
        type: 'milestone.approved.v1',
        data: { escrowId: state.escrowId, milestoneId: m.milestoneId, source, approvedAt: now },
      });
    }
    const base = { kind: 'payout' as const, reason: paymentReason, held: held.toString(), now };
    events.push(
      initiation(state, { ...base, paymentId, amount: m.amount, milestoneId: m.milestoneId }),
    );
    paymentIds.push(paymentId);
    held = held.minus(money(state, m.amount));
  }
  // The escrow closes: every proof still in review is settled, its milestone paid or not.
  const paid = unpaid.slice(0, paymentIds.length).map((m) => m.milestoneId);
  const others = state.milestones.map((m) => m.milestoneId).filter((id) => !paid.includes(id));
  events.unshift(
    ...supersededProofs(state, paid, 'milestone_paid', now),
    ...supersededProofs(state, others, 'escrow_closed', now),
  );
  if (held.isPositive()) {
    const paymentId = childId(seed, paymentIds.length);
    const rest = {
      paymentId,
      kind: 'payout' as const,
      amount: held.toString(),
      reason: paymentReason,
      held: held.toString(),
      now,
    };
    events.push(initiation(state, rest));
    paymentIds.push(paymentId);
  }
  events.push({
    type: 'escrow.released.v1',
    data: {
      escrowId: state.escrowId,
      reason,
      currency: state.currency,
      paymentIds,
      ...(note ? { note } : {}),
      releasedAt: now,
    },
  });
  return events;
}

/** Gives the held balance back to the client: DRAFT → CANCELLED, otherwise → REFUNDED. */
function refundAll(
  state: EscrowState,
  { seed, now, reason, note }: Closing<CloseReason>,
): EscrowEvent[] {
  const { escrowId, currency } = state;
  const held = state.held;
  const refund = money(state, held).isPositive()
    ? initiation(state, {
        paymentId: childId(seed, 0),
        kind: 'refund',
        amount: held,
        reason,
        held,
        now,
      })
    : null;
  const refundPaymentId = refund ? refund.data.paymentId : null;
  const events: EscrowEvent[] = [
    ...supersededProofs(state, null, 'escrow_closed', now),
    ...(refund ? [refund] : []),
  ];
  if (state.status === 'DRAFT') {
    const kept = state.deposits.filter(
      (d) => d.status === 'CONFIRMED' && d.refundPaymentId === null,
    );
    events.push({
      type: 'escrow.cancelled.v1',
      data: {
        escrowId,
        reason,
        currency,
        refundsDue: kept.map((d) => ({ depositId: d.depositId, amount: d.amount })),
        refundTotal: held,
        refundPaymentId,
        pendingDepositIds: state.deposits
          .filter((d) => d.status === 'PENDING')
          .map((d) => d.depositId),
        ...(note ? { note } : {}),
        cancelledAt: now,
      },
    });
  } else {
    events.push({
      type: 'escrow.refunded.v1',
      data: {
        escrowId,
        reason,
        currency,
        refundTotal: held,
        refundPaymentId,
        ...(note ? { note } : {}),
        refundedAt: now,
      },
    });
  }
  return events;
}

function noteOf(value: string | null | undefined): string | null {
  return v.optionalText(value, 'note', v.escrowLimits.noteLengthMax);
}

export function clientApprove(command: ClientApprove, state: EscrowState): EscrowEvent[] {
  open(state);
  v.nowMs(command.now);
  const text = noteOf(command.note);
  if (state.status !== 'FUNDED' && state.status !== 'RELEASABLE') {
    throw badTransition(state, 'client-approve', 'RELEASED', ['FUNDED', 'RELEASABLE']);
  }
  return releaseAll(state, closing(command, 'client_approve', text));
}

export function clientReject(command: ClientReject, state: EscrowState): EscrowEvent[] {
  open(state);
  v.nowMs(command.now);
  return refundAll(state, closing(command, 'client_reject', noteOf(command.note)));
}

/**
 * Acts only when due (now ≥ deadline); when not due it appends nothing on any escrow. A due
 * DRAFT escrow is CANCELLED with its refund whatever `on_deadline` says (pending deposits are
 * refunded when their late confirmation arrives); a due FUNDED/RELEASABLE escrow gets its
 * `on_deadline` outcome. A due terminal escrow answers ESCROW_CLOSED like every other action.
 */
export function checkDeadline(command: CheckDeadline, state: EscrowState): EscrowEvent[] {
  notFound(state);
  if (v.nowMs(command.now) < Date.parse(state.deadlineAt)) return [];
  open(state);
  if (state.status === 'DRAFT') return refundAll(state, closing(command, 'deadline'));
  switch (state.onDeadline) {
    case 'release':
      return releaseAll(state, closing(command, 'deadline'));
    case 'refund':
      return refundAll(state, closing(command, 'deadline'));
    case 'none':
      return [];
    default: {
      const never: never = state.onDeadline;
      throw new Error(`unknown on_deadline ${String(never)}`);
    }
  }
}
