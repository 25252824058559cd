/**
 * Escrow decider: creation, deposits (initiate, confirm, fail), milestones and delivery here;
 * milestone payouts, client approve/reject and deadlines in `escrow.closing.ts`; the payment
 * lifecycle (sent, failed, settled, retried) in `escrow.payments.ts`. It follows API-RULES.md
 * §2/§3 rather than the old service's unguarded transitions (KOBATELA-SPEC §7.1 B6: deposits
 * could reopen a closed escrow, client-approve released without paying anyone, client-reject
 * refunded nothing). Pure: time and ids come in the command; rule violations throw DomainErrors
 * with stable codes; broken invariants fail `assert`.
 */
import { DomainError, type Money } from '@kob/kernel';
import type { Decider } from '../decider';
import { assertNew, decideByType } from '../decider-kit';
import type {
  AddMilestone,
  ConfirmDeposit,
  CreateEscrow,
  Deposit,
  EscrowCommand,
  FailDeposit,
  MarkDelivered,
  RecordDepositReference,
} from './escrow.commands';
import type { EscrowEvent } from './escrow.events';
import { approveAndPay, checkDeadline, clientApprove, clientReject } from './escrow.closing';
import { recordFailed, recordSent, retryPayment, settlePayment } from './escrow.payments';
import { reviewProof, submitProof } from './escrow.proofs';
import { allowPayee, spend } from './escrow.spend';
import { assertBalances, badTransition, closed, initiation, notFound } from './escrow.rules';
import {
  type EscrowState,
  countedPending,
  evolveEscrow,
  initialEscrowState,
  isTerminal,
  money,
} from './escrow.state';
import * as v from './escrow.validate';

function create(command: CreateEscrow, state: EscrowState): EscrowEvent[] {
  assertNew(state, 'ESCROW_EXISTS', 'escrow');
  // The client's standing first: a request it forbids is refused whatever else it holds.
  const domain = v.escrowDomain(command.domain);
  v.domainAllowed(domain, command.clientPublicTag);
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
        domain,
        createdAt: command.now,
      },
    },
  ];
}

/**
 * The events that confirm a deposit: `escrow.funded.v1` when it completes the total, or, when
 * the escrow can no longer keep the money (closed, or filled up by another deposit since the PSP
 * was asked), the confirmation flagged and a refund of it in the same append: money that arrived
 * is always recorded and never kept beyond the total (API-RULES.md §3).
 */
function confirmation(
  state: EscrowState,
  d: { depositId: string; amount: string; pspRef: string; now: string },
  pendingAfter: string,
  refundPaymentId: string,
): EscrowEvent[] {
  const { escrowId, currency } = state;
  const afterClose = isTerminal(state.status);
  const kept = money(state, state.deposited)
    .minus(money(state, state.returned))
    .plus(money(state, d.amount));
  const total = money(state, state.amountTotal);
  const aboveTotal =
    !afterClose && (state.status !== 'DRAFT' || kept.plus(money(state, pendingAfter)).gt(total));
  const heldAfter = money(state, state.held).plus(money(state, d.amount)).toString();
  // Written out rather than spread from a shared base: on Node 20 a spread followed by new
  // properties gives every such object a hidden class of its own (kernel/copy-with.ts).
  const confirmed: EscrowEvent = {
    type: 'escrow.deposit_confirmed.v1',
    data: {
      escrowId,
      depositId: d.depositId,
      amount: d.amount,
      currency,
      pspRef: d.pspRef,
      afterClose,
      ...(aboveTotal ? { aboveTotal } : {}),
      heldAfter,
      confirmedAt: d.now,
    },
  };
  if (afterClose || aboveTotal) {
    const reason = afterClose ? 'deposit_after_close' : 'deposit_above_total';
    const refund = initiation(state, {
      paymentId: refundPaymentId,
      kind: 'refund',
      amount: d.amount,
      reason,
      depositId: d.depositId,
      held: heldAfter,
      now: d.now,
    });
    return [confirmed, refund];
  }
  if (!kept.equals(total)) return [confirmed];
  return [
    confirmed,
    {
      type: 'escrow.funded.v1',
      data: { escrowId, amountTotal: state.amountTotal, currency, fundedAt: d.now },
    },
  ];
}

/** Why a deposit cannot be taken now (closed, or above the total with pending ones), if so. */
function refusal(state: EscrowState, amount: Money): DomainError | null {
  if (isTerminal(state.status)) return closed(state);
  const kept = money(state, state.deposited).minus(money(state, state.returned));
  const pending = countedPending(state);
  // Pending deposits count toward the cap (§3), so FUNDED/RELEASABLE always land here.
  if (
    state.status === 'DRAFT' &&
    !kept.plus(pending).plus(amount).gt(money(state, state.amountTotal))
  )
    return null;
  return new DomainError('DEPOSIT_EXCEEDS_TOTAL', 'deposit above the escrow total', 'conflict', {
    amountTotal: state.amountTotal,
    deposited: kept.toString(),
    pending: pending.toString(),
    amount: amount.toString(),
  });
}

/**
 * A deposit's initiation, recorded before the PSP is asked: the rules refuse it here (closed,
 * above the total with the pending deposits counted), so a refused deposit never reaches the PSP,
 * and a deposit the PSP is asked for is always on the stream, counted toward the cap while it is
 * PENDING. A confirmation already in hand (`pspConfirmed`: the money is in) is recorded whatever
 * the rules say now, and refunded in the same decision if the escrow cannot keep it.
 */
function deposit(command: Deposit, state: EscrowState): EscrowEvent[] {
  notFound(state);
  v.nowMs(command.now);
  // A replay that reaches the decider appends nothing; the handler answers it from the state.
  if (state.deposits.some((d) => d.depositId === command.depositId)) return [];
  const amount = v.positiveAmount(command.amount, state.currency, state.scale, 'amount');
  const refused = refusal(state, amount);
  if (refused && !command.pspConfirmed) throw refused;
  const { escrowId, currency } = state;
  const initiated: EscrowEvent = {
    type: 'escrow.deposit_initiated.v1',
    data: {
      escrowId,
      depositId: command.depositId,
      amount: amount.toString(),
      currency,
      initiatedAt: command.now,
    },
  };
  if (!command.pspConfirmed) return [initiated];
  const pspRef = v.requiredText(command.pspConfirmed.pspRef, 'psp_ref', 255);
  const d = { depositId: command.depositId, amount: amount.toString(), pspRef, now: command.now };
  assertReportedAmount(state, d, command.pspConfirmed.reported);
  return [
    initiated,
    ...confirmation(state, d, countedPending(state).toString(), command.refundPaymentId),
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
 * did arrive) and refunded in the same append.
 */
function confirmDeposit(command: ConfirmDeposit, state: EscrowState): EscrowEvent[] {
  const found = pendingDeposit(state, command.depositId, 'CONFIRMED');
  v.nowMs(command.now);
  if (found.status === 'CONFIRMED') return [];
  const pspRef = v.requiredText(command.pspRef, 'psp_ref', 255);
  assertReportedAmount(state, found, command.reported);
  // The pending deposits that count toward the total once this one is no longer pending.
  const counted = countedPending(state);
  const pendingAfter = (
    found.beyondCap ? counted : counted.minus(money(state, found.amount))
  ).toString();
  const d = { depositId: found.depositId, amount: found.amount, pspRef, now: command.now };
  return confirmation(state, d, pendingAfter, command.refundPaymentId);
}

/** A decimal as a PSP may write it: digits, an optional fraction (no sign, no exponent). */
const REPORTED_AMOUNT = /^\d{1,18}(\.\d{1,18})?$/;

/**
 * Money is credited only as the PSP says it collected it: the amount (any number of trailing
 * zeros) and the currency asked for. A PSP that names another amount or currency, or none, is
 * refused: crediting what was asked would hide a short collection, crediting what it reports
 * would change the escrow behind the client's back; either needs a person (an alert).
 */
function assertReportedAmount(
  state: EscrowState,
  found: { depositId: string; amount: string },
  reported: ConfirmDeposit['reported'],
): void {
  const amountOk =
    reported.amount !== null &&
    REPORTED_AMOUNT.test(reported.amount) &&
    money(state, found.amount).amount.eq(reported.amount);
  // ASCII letters only before upper-casing: 'uſd'.toUpperCase() is 'USD'.
  const currencyOk =
    reported.currency !== null &&
    /^[A-Za-z]{3}$/.test(reported.currency) &&
    reported.currency.toUpperCase() === state.currency;
  if (amountOk && currencyOk) return;
  throw new DomainError(
    'DEPOSIT_AMOUNT_MISMATCH',
    'the PSP reports another amount or currency than the deposit asked for',
    'conflict',
    {
      depositId: found.depositId,
      asked: { amount: found.amount, currency: state.currency },
      reported: { amount: reported.amount, currency: reported.currency },
    },
  );
}

/**
 * A deposit the PSP did not answer at first, then accepted under the same key with a reference
 * it will confirm by webhook: the reference is recorded (and reserved by the handler) so the
 * webhook finds the deposit. A PSP that names another reference for the same key is refused.
 */
function recordDepositReference(
  command: RecordDepositReference,
  state: EscrowState,
): EscrowEvent[] {
  const found = pendingDeposit(state, command.depositId, 'CONFIRMED');
  v.nowMs(command.now);
  const pspRef = v.requiredText(command.pspRef, 'psp_ref', 255);
  if (found.pspRef === pspRef || found.status === 'CONFIRMED') return [];
  if (found.pspRef !== null) {
    throw new DomainError(
      'PSP_REFERENCE_MISMATCH',
      'the PSP named another reference for this deposit',
      'conflict',
      {
        depositId: found.depositId,
      },
    );
  }
  const { escrowId, currency } = state;
  return [
    {
      type: 'escrow.deposit_reference_recorded.v1',
      data: { escrowId, depositId: found.depositId, currency, pspRef, recordedAt: command.now },
    },
  ];
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
  const paidOut = state.payments.some((p) => p.kind === 'payout');
  if ((state.status !== 'DRAFT' && state.status !== 'FUNDED') || paidOut) {
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

const decideCommand = decideByType<EscrowCommand, EscrowState, EscrowEvent>(
  {
    CreateEscrow: create,
    Deposit: deposit,
    ConfirmDeposit: confirmDeposit,
    RecordDepositReference: recordDepositReference,
    FailDeposit: failDeposit,
    AddMilestone: addMilestone,
    MarkDelivered: markDelivered,
    CheckDeadline: checkDeadline,
    ApproveAndPayMilestone: approveAndPay,
    ClientApprove: clientApprove,
    ClientReject: clientReject,
    RecordPaymentSent: recordSent,
    RecordPaymentFailed: recordFailed,
    SettlePayment: settlePayment,
    RetryPayment: retryPayment,
    SubmitProof: submitProof,
    ReviewProof: reviewProof,
    AllowPayee: allowPayee,
    Spend: spend,
  },
  'escrow command',
);

export const escrowDecider: Decider<EscrowState, EscrowCommand, EscrowEvent> = {
  category: 'escrow',
  initialState: initialEscrowState,
  evolve: evolveEscrow,
  decide(command, state) {
    if (state.exists) assertBalances(state);
    return decideCommand(command, state);
  },
};
