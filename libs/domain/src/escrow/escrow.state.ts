/**
 * The escrow's folded state and `evolve`: status, milestones, deposits and payments by id, and the
 * balances of API-RULES.md §3:
 * - `deposited`: confirmed deposits (all the money that came in, including deposits given back
 *   because they arrived after the close or above the total: those are also in `returned`);
 * - `pending`: deposits initiated but neither confirmed nor failed (they count toward the cap);
 * - `paid` / `refunded` / `spent`: payments of that kind in PENDING, SENT or SETTLED;
 * - `failed`: FAILED payments not yet retried (still owed to their beneficiary, so not held);
 * - `held` = deposited − paid − refunded − spent − failed, never negative.
 * Amounts stay decimal strings at the escrow's scale so the state is plain JSON. `evolve` trusts
 * stored events and never throws; invariants are asserted in `decide`.
 */
import { Money } from '@kob/kernel';
import type {
  EscrowDomain,
  EscrowEvent,
  Geofence,
  MilestoneStatus,
  OnDeadline,
  PaymentKind,
  PaymentReason,
  PaymentStatus,
  ProofKind,
  ReleaseConditions,
} from './escrow.events';

export type EscrowStatus =
  'DRAFT' | 'FUNDED' | 'RELEASABLE' | 'RELEASED' | 'REFUNDED' | 'CANCELLED';
export type DepositStatus = 'PENDING' | 'CONFIRMED' | 'FAILED';

export const terminalStatuses: readonly EscrowStatus[] = ['RELEASED', 'REFUNDED', 'CANCELLED'];
/** Milestones that still wait for their money (API-RULES.md §2 sequencing). */
export const openMilestoneStatuses: readonly MilestoneStatus[] = [
  'WAITING',
  'PENDING_REVIEW',
  'APPROVED',
  'PAYING',
];

export interface MilestoneState {
  milestoneId: string;
  label: string;
  amount: string;
  currency: string;
  sequenceIndex: number;
  status: MilestoneStatus;
  proofKind: ProofKind;
  proofRequirements: Record<string, unknown>;
  geofence: Geofence | null;
}

export interface DepositState {
  depositId: string;
  amount: string;
  status: DepositStatus;
  pspRef: string | null;
  afterClose: boolean;
  /** The refund that gave this deposit back (after close or above the total), if any. */
  refundPaymentId: string | null;
  /** Initiated after the escrow closed or filled up: outside the cap (see the event). */
  beyondCap: boolean;
}

export interface PaymentState {
  paymentId: string;
  kind: PaymentKind;
  amount: string;
  milestoneId: string | null;
  beneficiaryId: string;
  status: PaymentStatus;
  pspRef: string | null;
  reason: PaymentReason;
  retryOf: string | null;
  retriedBy: string | null;
  depositId: string | null;
  failureReason: string | null;
  initiatedAt: string;
  updatedAt: string;
}

export type ProofStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUPERSEDED';

export interface ProofState {
  proofId: string;
  milestoneId: string;
  proofType: string;
  sha256: string;
  status: ProofStatus;
  reviewReasons: string[];
  flags: string[];
  aiRiskLevel: string | null;
  submittedAt: string;
}

/**
 * An allowed payee and what was spent to it: `spentTotal` counts every spend initiated (a failed
 * spend is still owed to the payee; its retry is not counted again), `spentByDay` the spends of
 * each of the latest UTC days (a spend stamped by a process whose clock lags may land after one
 * of the next day: each day keeps its own total, so neither is lost).
 */
export interface PayeeState {
  payeeRef: string;
  label: string;
  dailyLimit: string | null;
  totalLimit: string | null;
  spentTotal: string;
  /** `YYYY-MM-DD` → spent that UTC day, for the latest `PAYEE_DAYS_KEPT` days. */
  spentByDay: Record<string, string>;
  allowedAt: string;
}

/** UTC days of spending a payee remembers (the limit only asks for today's). */
export const PAYEE_DAYS_KEPT = 3;

/** The UTC day (`YYYY-MM-DD`) of an ISO instant. */
export function utcDay(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

export interface EscrowState {
  exists: boolean;
  escrowId: string;
  clientId: string;
  providerId: string;
  amountTotal: string;
  currency: string;
  scale: number;
  releaseConditions: ReleaseConditions;
  onDeadline: OnDeadline;
  deadlineAt: string;
  domain: EscrowDomain;
  status: EscrowStatus;
  createdAt: string;
  /** In insertion order (an array, not an object, so numeric-looking ids keep their order). */
  milestones: MilestoneState[];
  milestoneTotal: string;
  deposits: DepositState[];
  payments: PaymentState[];
  proofs: ProofState[];
  payees: PayeeState[];
  deposited: string;
  pending: string;
  /** The part of `pending` initiated beyond the cap: it does not count toward the total. */
  pendingBeyondCap: string;
  /** Confirmed deposits given back on arrival (after close, above the total). */
  returned: string;
  paid: string;
  refunded: string;
  spent: string;
  failed: string;
  held: string;
}

export function initialEscrowState(): EscrowState {
  return {
    exists: false,
    escrowId: '',
    clientId: '',
    providerId: '',
    amountTotal: '0',
    currency: '',
    scale: 0,
    releaseConditions: { on_deadline: 'release' },
    onDeadline: 'release',
    deadlineAt: '',
    domain: 'private',
    status: 'DRAFT',
    createdAt: '',
    milestones: [],
    milestoneTotal: '0',
    deposits: [],
    payments: [],
    proofs: [],
    payees: [],
    deposited: '0',
    pending: '0',
    pendingBeyondCap: '0',
    returned: '0',
    paid: '0',
    refunded: '0',
    spent: '0',
    failed: '0',
    held: '0',
  };
}

export function isTerminal(status: EscrowStatus): boolean {
  return terminalStatuses.includes(status);
}

export function money(state: EscrowState, amount: string): Money {
  return Money.of(amount, state.currency, state.scale);
}

function add(state: EscrowState, a: string, b: string): string {
  return money(state, a).plus(money(state, b)).toString();
}

function sub(state: EscrowState, a: string, b: string): string {
  return money(state, a).minus(money(state, b)).toString();
}

/** held = deposited − paid − refunded − spent − failed (API-RULES.md §3). */
export function heldOf(state: EscrowState): string {
  return [state.paid, state.refunded, state.spent, state.failed]
    .reduce((acc, x) => acc.minus(money(state, x)), money(state, state.deposited))
    .toString();
}

function withHeld(state: EscrowState): EscrowState {
  return { ...state, held: heldOf(state) };
}

/** The balance field a payment kind counts in while PENDING, SENT or SETTLED. */
export const kindBalance = { payout: 'paid', refund: 'refunded', spend: 'spent' } as const;

function withDeposit(
  state: EscrowState,
  depositId: string,
  change: Partial<DepositState>,
): DepositState[] {
  return state.deposits.map((d) => (d.depositId === depositId ? { ...d, ...change } : d));
}

function withPayment(
  state: EscrowState,
  paymentId: string,
  change: Partial<PaymentState>,
): PaymentState[] {
  return state.payments.map((p) => (p.paymentId === paymentId ? { ...p, ...change } : p));
}

function withMilestone(
  state: EscrowState,
  milestoneId: string | null,
  status: MilestoneStatus,
): MilestoneState[] {
  return state.milestones.map((m) => (m.milestoneId === milestoneId ? { ...m, status } : m));
}

/** `pendingBeyondCap` once a deposit leaves PENDING (it was in it if initiated beyond the cap). */
function leavingBeyondCap(state: EscrowState, depositId: string, amount: string): string {
  const beyond = state.deposits.some((d) => d.depositId === depositId && d.beyondCap);
  return beyond ? sub(state, state.pendingBeyondCap, amount) : state.pendingBeyondCap;
}

/** Pending deposits that count toward the total (those initiated within the cap). */
export function countedPending(state: EscrowState): Money {
  return money(state, state.pending).minus(money(state, state.pendingBeyondCap));
}

/** Folds deposit events; a deposit moves out of `pending` exactly once (decide guarantees it). */
function evolveDeposit(state: EscrowState, event: EscrowEvent): EscrowState {
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
    case 'payment.initiated.v1': {
      const d = event.data;
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
      if (d.milestoneId)
        next = { ...next, milestones: withMilestone(next, d.milestoneId, 'PAYING') };
      if (d.kind === 'spend' && !d.retryOf)
        next = { ...next, payees: withSpend(next, d.beneficiaryId, d.amount, d.initiatedAt) };
      return withHeld(next);
    }
    case 'payment.sent.v1':
      return {
        ...state,
        payments: withPayment(state, event.data.paymentId, {
          status: 'SENT',
          pspRef: event.data.pspRef,
          updatedAt: event.data.sentAt,
        }),
      };
    case 'payment.settled.v1':
      return {
        ...state,
        payments: withPayment(state, event.data.paymentId, {
          status: 'SETTLED',
          updatedAt: event.data.settledAt,
        }),
      };
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

export function evolveEscrow(state: EscrowState, event: EscrowEvent): EscrowState {
  if (event.type === 'escrow.created.v1') {
    const d = event.data;
    const zero = Money.zero(d.currency, d.scale).toString();
    return {
      ...initialEscrowState(),
      milestoneTotal: zero,
      deposited: zero,
      pending: zero,
      pendingBeyondCap: zero,
      returned: zero,
      paid: zero,
      refunded: zero,
      spent: zero,
      failed: zero,
      held: zero,
      exists: true,
      escrowId: d.escrowId,
      clientId: d.clientId,
      providerId: d.providerId,
      amountTotal: d.amountTotal,
      currency: d.currency,
      scale: d.scale,
      releaseConditions: d.releaseConditions,
      onDeadline: d.releaseConditions.on_deadline,
      deadlineAt: d.deadlineAt,
      domain: d.domain,
      createdAt: d.createdAt,
    };
  }
  // Nothing but creation applies to a stream without an escrow (Money needs its currency).
  if (!state.exists) return state;
  switch (event.type) {
    case 'escrow.funded.v1':
      return { ...state, status: 'FUNDED' };
    case 'escrow.delivered.v1':
      return { ...state, status: 'RELEASABLE' };
    case 'escrow.cancelled.v1':
      return { ...state, status: 'CANCELLED' };
    case 'escrow.refunded.v1':
      return { ...state, status: 'REFUNDED' };
    case 'escrow.released.v1':
      return { ...state, status: 'RELEASED' };
    case 'milestone.added.v1': {
      const { escrowId: _escrowId, addedAt: _addedAt, ...milestone } = event.data;
      return {
        ...state,
        milestones: [...state.milestones, milestone],
        milestoneTotal: add(state, state.milestoneTotal, milestone.amount),
      };
    }
    case 'milestone.approved.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'APPROVED') };
    case 'milestone.paid.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'PAID') };
    case 'milestone.reopened.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'WAITING') };
    case 'payee.allowed.v1': {
      const d = event.data;
      const zero = Money.zero(state.currency, state.scale).toString();
      const payee: PayeeState = {
        payeeRef: d.payeeRef,
        label: d.label,
        dailyLimit: d.dailyLimit,
        totalLimit: d.totalLimit,
        spentTotal: zero,
        spentByDay: {},
        allowedAt: d.allowedAt,
      };
      return { ...state, payees: [...state.payees, payee] };
    }
    default:
      return evolveProof(state, event) ?? evolveDeposit(state, event);
  }
}

function withProof(state: EscrowState, proofId: string, change: Partial<ProofState>): ProofState[] {
  return state.proofs.map((p) => (p.proofId === proofId ? { ...p, ...change } : p));
}

/** Folds proof events (null for any other event). */
function evolveProof(state: EscrowState, event: EscrowEvent): EscrowState | null {
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

/** The milestone with the lowest sequence index that still waits for its money, if any. */
export function lowestOpenMilestone(state: EscrowState): MilestoneState | undefined {
  return state.milestones
    .filter((m) => openMilestoneStatuses.includes(m.status))
    .reduce<MilestoneState | undefined>(
      (low, m) => (low === undefined || m.sequenceIndex < low.sequenceIndex ? m : low),
      undefined,
    );
}

/** The latest payout of a milestone, whatever its status (the answer to a repeated release). */
export function latestPayoutOf(state: EscrowState, milestoneId: string): PaymentState | undefined {
  return state.payments.filter((p) => p.kind === 'payout' && p.milestoneId === milestoneId).pop();
}
