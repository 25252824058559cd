/**
 * Escrow decider, first increment of issue 4: creation, deposits (initiate, confirm, fail),
 * milestones, delivery and the deadline of a DRAFT escrow, following API-RULES.md §2/§3 rather
 * than the old service's unguarded transitions (KOBATELA-SPEC §7.1 B6: deposits could reopen a
 * closed escrow; mark-delivered ran from any state). Payouts, refunds, client approve/reject and
 * the FUNDED/RELEASABLE deadline outcomes (release or refund) arrive with the payments increment:
 * until then `CheckDeadline` on a FUNDED or RELEASABLE escrow appends nothing, and a spec names
 * that gap. Pure: time and ids come in the command; rule violations throw DomainErrors with
 * stable codes; broken invariants fail `assert`.
 */
import { DomainError, assert, assertNever } from '../../../kernel/src';
import type { Decider } from '../decider';
import type {
  AddMilestone,
  CheckDeadline,
  ConfirmDeposit,
  CreateEscrow,
  Deposit,
  EscrowCommand,
  FailDeposit,
  MarkDelivered,
} from './escrow.commands';
import type { EscrowEvent } from './escrow.events';
import {
  type EscrowState,
  type EscrowStatus,
  evolveEscrow,
  initialEscrowState,
  isTerminal,
  money,
} from './escrow.state';
import * as v from './escrow.validate';

function notFound(state: EscrowState): void {
  if (!state.exists) throw new DomainError('ESCROW_NOT_FOUND', 'no such escrow', 'not_found');
}

function closed(state: EscrowState): DomainError {
  return new DomainError('ESCROW_CLOSED', `escrow is ${state.status}`, 'conflict', {
    status: state.status,
  });
}

function badTransition(
  state: EscrowState,
  action: string,
  to: EscrowStatus,
  allowedFrom: EscrowStatus[],
): DomainError {
  return new DomainError(
    'INVALID_STATE_TRANSITION',
    `${action} is not allowed from ${state.status}`,
    'conflict',
    { action, from: state.status, to, allowedFrom },
  );
}

/** Balances never go negative and pending deposits never push the total past the cap (§3). */
function assertBalances(state: EscrowState): void {
  const deposited = money(state, state.deposited);
  const pending = money(state, state.pending);
  assert(!deposited.isNegative() && !pending.isNegative(), 'negative deposited or pending');
  assert(!money(state, state.held).isNegative(), 'negative held');
  assert(!deposited.plus(pending).gt(money(state, state.amountTotal)), 'deposits above total');
  assert(!money(state, state.milestoneTotal).gt(money(state, state.amountTotal)), 'milestones');
  assert(!money(state, state.refundDue).isNegative(), 'negative refund due');
}

function create(command: CreateEscrow, state: EscrowState): EscrowEvent[] {
  if (state.exists)
    throw new DomainError('ESCROW_EXISTS', 'this escrow already exists', 'conflict');
  v.nowMs(command.now);
  v.assertScale(command.scale);
  const currency = v.currencyCode(command.currency, 'currency');
  const amountTotal = v.positiveAmount(
    command.amountTotal,
    currency,
    command.scale,
    'amount_total',
  );
  v.timestampMs(command.deadlineAt, 'deadline_at');
  return [
    {
      type: 'escrow.created.v1',
      data: {
        escrowId: command.escrowId,
        clientId: command.clientId,
        providerId: command.providerId,
        amountTotal: amountTotal.toString(),
        currency,
        scale: command.scale,
        releaseConditions: v.releaseConditions(command.releaseConditions),
        deadlineAt: command.deadlineAt,
        domain: v.escrowDomain(command.domain),
        createdAt: command.now,
      },
    },
  ];
}

/** The events that confirm a deposit, plus `escrow.funded.v1` when it completes the total. */
function confirmation(
  state: EscrowState,
  depositId: string,
  amount: string,
  pspRef: string,
  now: string,
  pendingAfter: string,
): EscrowEvent[] {
  const { escrowId, currency } = state;
  const afterClose = isTerminal(state.status);
  const events: EscrowEvent[] = [
    {
      type: 'escrow.deposit_confirmed.v1',
      data: { escrowId, depositId, amount, currency, pspRef, afterClose, confirmedAt: now },
    },
  ];
  if (afterClose) return events;
  assert(state.status === 'DRAFT', `open deposit on a ${state.status} escrow`);
  const deposited = money(state, state.deposited).plus(money(state, amount));
  const total = money(state, state.amountTotal);
  assert(!deposited.plus(money(state, pendingAfter)).gt(total), 'confirmed above the total');
  if (deposited.equals(total)) {
    events.push({
      type: 'escrow.funded.v1',
      data: { escrowId, amountTotal: state.amountTotal, currency, fundedAt: now },
    });
  }
  return events;
}

function deposit(command: Deposit, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  // A replay that reaches the decider appends nothing; the handler answers it from the state.
  if (state.deposits.some((d) => d.depositId === command.depositId)) return [];
  if (isTerminal(state.status)) throw closed(state);
  const amount = v.positiveAmount(command.amount, state.currency, state.scale, 'amount');
  const pending = money(state, state.pending);
  const committed = money(state, state.deposited).plus(pending).plus(amount);
  // Pending deposits count toward the cap (§3), so FUNDED/RELEASABLE always land here.
  if (state.status !== 'DRAFT' || committed.gt(money(state, state.amountTotal))) {
    throw new DomainError('DEPOSIT_EXCEEDS_TOTAL', 'deposit above the escrow total', 'conflict', {
      amountTotal: state.amountTotal,
      deposited: state.deposited,
      pending: state.pending,
      amount: amount.toString(),
    });
  }
  const { escrowId, currency } = state;
  const events: EscrowEvent[] = [
    {
      type: 'escrow.deposit_initiated.v1',
      data: {
        escrowId,
        depositId: command.depositId,
        amount: amount.toString(),
        currency,
        initiatedAt: command.now,
      },
    },
  ];
  if (command.pspDeclined && command.pspConfirmed === null) {
    const reasonMax = v.escrowLimits.depositFailureReasonLengthMax;
    const reason = v.requiredText(command.pspDeclined.reason, 'reason', reasonMax);
    return [
      ...events,
      {
        type: 'escrow.deposit_failed.v1',
        data: { escrowId, depositId: command.depositId, amount: amount.toString(), currency, reason, failedAt: command.now },
      },
    ];
  }
  if (command.pspConfirmed === null) return events;
  const pspRef = v.requiredText(command.pspConfirmed.pspRef, 'psp_ref', 255);
  const amountText = amount.toString();
  return [
    ...events,
    ...confirmation(state, command.depositId, amountText, pspRef, command.now, state.pending),
  ];
}

function pendingDeposit(state: EscrowState, depositId: string, to: 'CONFIRMED' | 'FAILED') {
  notFound(state);
  const found = state.deposits.find((d) => d.depositId === depositId);
  if (!found) throw new DomainError('DEPOSIT_NOT_FOUND', 'no such deposit', 'not_found');
  if (found.status !== 'PENDING' && found.status !== to) {
    throw new DomainError('INVALID_STATE_TRANSITION', `deposit is ${found.status}`, 'conflict', {
      action: to === 'CONFIRMED' ? 'confirm-deposit' : 'fail-deposit',
      from: found.status,
      to,
    });
  }
  return found;
}

/**
 * The webhook's later path. A confirmation after the escrow closed is still recorded (the money
 * did arrive) with `afterClose: true`, which the summary counts as owed back to the client; the
 * refund payment itself comes with the payments increment, which will act on that flag.
 */
function confirmDeposit(command: ConfirmDeposit, state: EscrowState): EscrowEvent[] {
  const found = pendingDeposit(state, command.depositId, 'CONFIRMED');
  v.nowMs(command.now);
  if (found.status === 'CONFIRMED') return [];
  const pspRef = v.requiredText(command.pspRef, 'psp_ref', 255);
  const pendingAfter = money(state, state.pending).minus(money(state, found.amount)).toString();
  return confirmation(state, found.depositId, found.amount, pspRef, command.now, pendingAfter);
}

function failDeposit(command: FailDeposit, state: EscrowState): EscrowEvent[] {
  const found = pendingDeposit(state, command.depositId, 'FAILED');
  v.nowMs(command.now);
  if (found.status === 'FAILED') return [];
  const reasonMax = v.escrowLimits.depositFailureReasonLengthMax;
  const reason = v.requiredText(command.reason, 'reason', reasonMax);
  const { escrowId, currency } = state;
  const { depositId, amount } = found;
  return [
    {
      type: 'escrow.deposit_failed.v1',
      data: { escrowId, depositId, amount, currency, reason, failedAt: command.now },
    },
  ];
}

function addMilestone(command: AddMilestone, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  if (state.milestones.some((m) => m.milestoneId === command.milestoneId)) return [];
  if (isTerminal(state.status)) throw closed(state);
  // "Before any payout": there are no payouts in this increment, so DRAFT and FUNDED qualify.
  if (state.status !== 'DRAFT' && state.status !== 'FUNDED') {
    throw badTransition(state, 'add-milestone', state.status, ['DRAFT', 'FUNDED']);
  }
  const label = v.label(command.label);
  const sequenceIndex = v.sequenceIndex(command.sequenceIndex);
  const proofKind = v.proofKind(command.proofKind);
  const proofRequirements = command.proofRequirements ?? {};
  if (!v.isPlainObject(proofRequirements))
    throw v.invalid('proof_requirements', 'must be an object');
  const geofence = v.geofence(command.geofence);
  const currency = v.currencyCode(command.currency, 'currency');
  if (currency !== state.currency) {
    throw new DomainError('MILESTONE_CURRENCY_MISMATCH', 'milestone currency differs', 'conflict', {
      escrowCurrency: state.currency,
      currency,
    });
  }
  const amount = v.positiveAmount(command.amount, state.currency, state.scale, 'amount');
  if (state.milestones.some((m) => m.sequenceIndex === sequenceIndex)) {
    throw new DomainError('MILESTONE_SEQUENCE_EXISTS', 'sequence index taken', 'conflict', {
      sequenceIndex,
    });
  }
  const sum = money(state, state.milestoneTotal).plus(amount);
  if (sum.gt(money(state, state.amountTotal))) {
    throw new DomainError('MILESTONE_TOTAL_EXCEEDED', 'milestones above the total', 'conflict', {
      amountTotal: state.amountTotal,
      milestoneTotal: state.milestoneTotal,
      amount: amount.toString(),
    });
  }
  return [
    {
      type: 'milestone.added.v1',
      data: {
        escrowId: state.escrowId,
        milestoneId: command.milestoneId,
        label,
        amount: amount.toString(),
        currency,
        sequenceIndex,
        status: 'WAITING',
        proofKind,
        proofRequirements,
        geofence,
        addedAt: command.now,
      },
    },
  ];
}

function markDelivered(command: MarkDelivered, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  if (isTerminal(state.status)) throw closed(state);
  if (state.status !== 'FUNDED')
    throw badTransition(state, 'mark-delivered', 'RELEASABLE', ['FUNDED']);
  const note = v.optionalText(command.note, 'note', v.escrowLimits.noteLengthMax);
  const proofUrl = v.optionalText(command.proofUrl, 'proof_url', v.escrowLimits.proofUrlLengthMax);
  return [
    {
      type: 'escrow.delivered.v1',
      data: { escrowId: state.escrowId, note, proofUrl, deliveredAt: command.now },
    },
  ];
}

/**
 * Acts only when due (now ≥ deadline); when not due it appends nothing on any escrow. A due
 * DRAFT escrow is CANCELLED whatever `on_deadline` says, recording the confirmed deposits owed
 * back (pending ones are refunded when their late confirmation arrives with `afterClose`). A due
 * FUNDED/RELEASABLE escrow gets its `on_deadline` outcome with payouts (next increment): for now
 * nothing is appended. A due terminal escrow answers ESCROW_CLOSED like every other action.
 */
function checkDeadline(command: CheckDeadline, state: EscrowState): EscrowEvent[] {
  notFound(state);
  if (v.nowMs(command.now) < Date.parse(state.deadlineAt)) return [];
  if (isTerminal(state.status)) throw closed(state);
  if (state.status !== 'DRAFT') return [];
  const confirmed = state.deposits.filter((d) => d.status === 'CONFIRMED');
  const pending = state.deposits.filter((d) => d.status === 'PENDING');
  return [
    {
      type: 'escrow.cancelled.v1',
      data: {
        escrowId: state.escrowId,
        reason: 'deadline',
        currency: state.currency,
        refundsDue: confirmed.map((d) => ({ depositId: d.depositId, amount: d.amount })),
        refundTotal: state.deposited,
        pendingDepositIds: pending.map((d) => d.depositId),
        cancelledAt: command.now,
      },
    },
  ];
}

export const escrowDecider: Decider<EscrowState, EscrowCommand, EscrowEvent> = {
  category: 'escrow',
  initialState: initialEscrowState,
  evolve: evolveEscrow,
  decide(command, state) {
    if (state.exists) assertBalances(state);
    switch (command.type) {
      case 'CreateEscrow':
        return create(command, state);
      case 'Deposit':
        return deposit(command, state);
      case 'ConfirmDeposit':
        return confirmDeposit(command, state);
      case 'FailDeposit':
        return failDeposit(command, state);
      case 'AddMilestone':
        return addMilestone(command, state);
      case 'MarkDelivered':
        return markDelivered(command, state);
      case 'CheckDeadline':
        return checkDeadline(command, state);
      default:
        return assertNever(command, 'escrow command');
    }
  },
};
