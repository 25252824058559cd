/** Folds the money events of an escrow: deposits, then payments (API-RULES.md §3). */
import type { EscrowEvent } from './escrow.events';
import {
  add,
  leavingBeyondCap,
  sub,
  withDeposit,
  withHeld,
  withMilestone,
  withPayment,
} from './escrow.fold';
import {
  type DepositState,
  type EscrowState,
  type PayeeState,
  type PaymentState,
  PAYEE_DAYS_KEPT,
  kindBalance,
  utcDay,
} from './escrow.state-model';

/** Folds deposit events; a deposit moves out of `pending` exactly once (decide guarantees it). */
export function evolveDeposit(state: EscrowState, event: EscrowEvent): EscrowState {
  switch (event.type) {
    case 'escrow.deposit_initiated.v1': {
      const { depositId, amount } = event.data;
      const deposit: DepositState = {
        depositId,
        amount,
        status: 'PENDING',
        pspRef: event.data.pspRef ?? null,
        afterClose: false,
        refundPaymentId: null,
        beyondCap: event.data.beyondCap === true,
      };
      return {
        ...state,
        deposits: [...state.deposits, deposit],
        pending: add(state, state.pending, amount),
        pendingBeyondCap: deposit.beyondCap
          ? add(state, state.pendingBeyondCap, amount)
          : state.pendingBeyondCap,
      };
    }
    case 'escrow.deposit_confirmed.v1': {
      const { depositId, amount, pspRef, afterClose } = event.data;
      const givenBack = afterClose || event.data.aboveTotal === true;
      return withHeld({
        ...state,
        deposits: withDeposit(state, depositId, { status: 'CONFIRMED', pspRef, afterClose }),
        pending: sub(state, state.pending, amount),
        pendingBeyondCap: leavingBeyondCap(state, depositId, amount),
        deposited: add(state, state.deposited, amount),
        returned: givenBack ? add(state, state.returned, amount) : state.returned,
      });
    }
    case 'escrow.deposit_reference_recorded.v1':
      return {
        ...state,
        deposits: withDeposit(state, event.data.depositId, { pspRef: event.data.pspRef }),
      };
    case 'escrow.deposit_failed.v1': {
      const { depositId, amount } = event.data;
      return {
        ...state,
        deposits: withDeposit(state, depositId, { status: 'FAILED' }),
        pending: sub(state, state.pending, amount),
        pendingBeyondCap: leavingBeyondCap(state, depositId, amount),
      };
    }
    default:
      return evolvePayment(state, event);
  }
}

/** A spend counted on its payee (total, and the UTC day of the spend). */
function withSpend(state: EscrowState, payeeRef: string, amount: string, at: string): PayeeState[] {
  const day = utcDay(at);
  return state.payees.map((p) => {
    if (p.payeeRef !== payeeRef) return p;
    const byDay = { ...p.spentByDay, [day]: add(state, p.spentByDay[day] ?? '0', amount) };
    const kept = Object.keys(byDay).sort().slice(-PAYEE_DAYS_KEPT);
    return {
      ...p,
      spentTotal: add(state, p.spentTotal, amount),
      spentByDay: Object.fromEntries(kept.map((d) => [d, byDay[d]!])),
    };
  });
}

/** Folds payment events into the payments list and the per-kind balances. */
function evolvePayment(state: EscrowState, event: EscrowEvent): EscrowState {
  switch (event.type) {
    case 'payment.initiated.v1':
      return paymentInitiated(state, event.data);
    case 'payment.sent.v1': {
      const { paymentId, pspRef, sentAt } = event.data;
      return { ...state, payments: withPayment(state, paymentId, sentChange(pspRef, sentAt)) };
    }
    case 'payment.settled.v1': {
      const change = { status: 'SETTLED' as const, updatedAt: event.data.settledAt };
      return { ...state, payments: withPayment(state, event.data.paymentId, change) };
    }
    case 'payment.failed.v1': {
      const d = event.data;
      const field = kindBalance[d.kind];
      // A milestone whose payout failed is open again (PAYING) until a retry is sent (§2).
      const milestones = d.milestoneId
        ? withMilestone(state, d.milestoneId, 'PAYING')
        : state.milestones;
      return withHeld({
        ...state,
        milestones,
        [field]: sub(state, state[field], d.amount),
        failed: add(state, state.failed, d.amount),
        payments: withPayment(state, d.paymentId, {
          status: 'FAILED',
          failureReason: d.reason,
          updatedAt: d.failedAt,
          ...(d.pspRef ? { pspRef: d.pspRef } : {}),
        }),
      });
    }
    case 'payment.retried.v1':
      return {
        ...state,
        payments: withPayment(state, event.data.paymentId, {
          retriedBy: event.data.retryPaymentId,
          updatedAt: event.data.retriedAt,
        }),
      };
    default:
      return state;
  }
}

/** A payment counted in its kind's balance, and what it pays: a retry, a deposit, a milestone. */
function paymentInitiated(
  state: EscrowState,
  d: Extract<EscrowEvent, { type: 'payment.initiated.v1' }>['data'],
): EscrowState {
  const field = kindBalance[d.kind];
  let next: EscrowState = {
    ...state,
    [field]: add(state, state[field], d.amount),
    payments: [
      ...state.payments,
      {
        paymentId: d.paymentId,
        kind: d.kind,
        amount: d.amount,
        milestoneId: d.milestoneId,
        beneficiaryId: d.beneficiaryId,
        status: 'PENDING',
        pspRef: null,
        reason: d.reason,
        retryOf: d.retryOf,
        retriedBy: null,
        depositId: d.depositId,
        failureReason: null,
        initiatedAt: d.initiatedAt,
        updatedAt: d.initiatedAt,
      },
    ],
  };
  if (d.retryOf) {
    // The retried payment stops counting as failed: its amount is owed by this one now.
    next = { ...next, failed: sub(state, state.failed, d.amount) };
    next = { ...next, payments: withPayment(next, d.retryOf, { retriedBy: d.paymentId }) };
  }
  if (d.depositId) {
    next = {
      ...next,
      deposits: withDeposit(next, d.depositId, { refundPaymentId: d.paymentId }),
    };
  }
  if (d.milestoneId) next = { ...next, milestones: withMilestone(next, d.milestoneId, 'PAYING') };
  if (d.kind === 'spend' && !d.retryOf)
    next = { ...next, payees: withSpend(next, d.beneficiaryId, d.amount, d.initiatedAt) };
  return withHeld(next);
}

function sentChange(pspRef: string, sentAt: string): Partial<PaymentState> {
  return { status: 'SENT', pspRef, updatedAt: sentAt };
}
