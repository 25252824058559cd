/**
 * Rules and event builders shared by the parts of the escrow decider: the errors every action
 * can answer (ESCROW_NOT_FOUND, ESCROW_CLOSED, INVALID_STATE_TRANSITION naming from and to), the
 * payment lookup, the event that starts a payment, and the balance invariants `decide` asserts
 * on every state it is given (API-RULES.md §3).
 */
import { DomainError, assert, minorUnits } from '@kob/kernel';
import { assertFound } from '../decider-kit';
import type { PaymentInitiatedData, PaymentKind, PaymentReason } from './escrow.events';
import type { EscrowEvent } from './escrow.events';
import {
  type EscrowState,
  type EscrowStatus,
  type PaymentState,
  isTerminal,
  money,
} from './escrow.state';

export function notFound(state: EscrowState): void {
  assertFound(state, 'ESCROW_NOT_FOUND', 'escrow');
}

export function closed(state: EscrowState): DomainError {
  return new DomainError('ESCROW_CLOSED', `escrow is ${state.status}`, 'conflict', {
    status: state.status,
  });
}

/** Terminal escrows answer ESCROW_CLOSED to every action but payment bookkeeping. */
export function open(state: EscrowState): void {
  notFound(state);
  if (isTerminal(state.status)) throw closed(state);
}

export function badTransition(
  state: EscrowState,
  action: string,
  to: string,
  allowedFrom: EscrowStatus[],
): DomainError {
  return new DomainError(
    'INVALID_STATE_TRANSITION',
    `${action} is not allowed from ${state.status}`,
    'conflict',
    { action, from: state.status, to, allowedFrom },
  );
}

export function findPayment(state: EscrowState, paymentId: string): PaymentState {
  notFound(state);
  const found = state.payments.find((p) => p.paymentId === paymentId);
  if (!found) throw new DomainError('PAYMENT_NOT_FOUND', 'no such payment', 'not_found');
  return found;
}

export function paymentTransition(payment: PaymentState, action: string, to: string): DomainError {
  return new DomainError(
    'INVALID_STATE_TRANSITION',
    `${action} is not allowed for a ${payment.status} payment`,
    'conflict',
    { action, from: payment.status, to, paymentId: payment.paymentId },
  );
}

export function insufficient(state: EscrowState, amount: string): DomainError {
  return new DomainError(
    'INSUFFICIENT_ESCROW_BALANCE',
    `the escrow holds ${state.held} ${state.currency}, ${amount} is needed`,
    'conflict',
    { held: state.held, required: amount, currency: state.currency },
  );
}

/**
 * The event that starts a payment out of the held balance (`held` is what the escrow holds
 * before it). Retries move no held money: pass the held balance as it is.
 */
export function initiation(
  state: EscrowState,
  p: {
    paymentId: string;
    kind: PaymentKind;
    amount: string;
    milestoneId?: string | null;
    reason: PaymentReason;
    retryOf?: string | null;
    depositId?: string | null;
    /** A spend's payee ref (and a retry's original beneficiary); else client or provider. */
    beneficiaryId?: string;
    note?: string | null;
    held: string;
    now: string;
  },
): EscrowEvent & { data: PaymentInitiatedData } {
  const beneficiaryId =
    p.beneficiaryId ?? (p.kind === 'refund' ? state.clientId : state.providerId);
  assert(p.kind !== 'spend' || p.beneficiaryId !== undefined, 'a spend names its payee');
  const heldAfter = p.retryOf ? p.held : money(state, p.held).minus(money(state, p.amount));
  assert(!money(state, heldAfter.toString()).isNegative(), 'a payment above the held balance');
  return {
    type: 'payment.initiated.v1',
    data: {
      escrowId: state.escrowId,
      paymentId: p.paymentId,
      kind: p.kind,
      amount: p.amount,
      currency: state.currency,
      milestoneId: p.milestoneId ?? null,
      beneficiaryId,
      reason: p.reason,
      retryOf: p.retryOf ?? null,
      depositId: p.depositId ?? null,
      ...(p.note ? { note: p.note } : {}),
      heldAfter: heldAfter.toString(),
      initiatedAt: p.now,
    },
  };
}

/** The money a payment event names, as the projections need it without another event. */
export function paymentRef(state: EscrowState, p: PaymentState) {
  return {
    escrowId: state.escrowId,
    paymentId: p.paymentId,
    kind: p.kind,
    amount: p.amount,
    currency: state.currency,
    milestoneId: p.milestoneId,
    beneficiaryId: p.beneficiaryId,
  };
}

/**
 * The balance invariants of API-RULES.md §3 on a folded state: no balance below zero, held as
 * the formula says, kept deposits (with pending ones) within the total, milestones within the
 * total, and a terminal escrow holds nothing.
 */
export function assertBalances(state: EscrowState): void {
  const units = (amount: string) => minorUnits(amount, state.scale);
  const b = {
    deposited: units(state.deposited),
    pending: units(state.pending),
    pendingBeyondCap: units(state.pendingBeyondCap),
    returned: units(state.returned),
    paid: units(state.paid),
    refunded: units(state.refunded),
    spent: units(state.spent),
    failed: units(state.failed),
    held: units(state.held),
  };
  for (const [f, v] of Object.entries(b)) assert(v >= 0n, `negative ${f}`);
  assert(
    b.held === b.deposited - b.paid - b.refunded - b.spent - b.failed,
    'held is not the formula',
  );
  const total = units(state.amountTotal);
  const counted = b.pending - b.pendingBeyondCap;
  assert(counted >= 0n, 'more pending beyond the cap than pending');
  assert(b.deposited - b.returned + counted <= total, 'deposits above total');
  assert(units(state.milestoneTotal) <= total, 'milestones above total');
  if (isTerminal(state.status)) assert(b.held <= 0n, 'a closed escrow holds money');
}

/** Marks the pending proofs of these milestones (all, when null) superseded. */
export function supersededProofs(
  state: EscrowState,
  milestoneIds: readonly string[] | null,
  reason: 'milestone_paid' | 'escrow_closed',
  now: string,
): EscrowEvent[] {
  return state.proofs
    .filter(
      (p) =>
        p.status === 'PENDING' && (milestoneIds === null || milestoneIds.includes(p.milestoneId)),
    )
    .map((p) => ({
      type: 'proof.superseded.v1' as const,
      data: {
        escrowId: state.escrowId,
        proofId: p.proofId,
        milestoneId: p.milestoneId,
        reason,
        supersededAt: now,
      },
    }));
}
