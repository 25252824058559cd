/** The escrow's folded state: its shape, its initial value and what is read from it. */
import { Money } from '@kob/kernel';
import type {
  EscrowCreatedData,
  Geofence,
  MilestoneStatus,
  OnDeadline,
  PaymentKind,
  PaymentReason,
  PaymentStatus,
  ProofKind,
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
  /** Null: kind-less, the proof's type decides its rules (D5). */
  proofKind: ProofKind | null;
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
  /** the upload the proof uses (null for a claim), and the claimed URL of a claim */
  fileId: string | null;
  storageUrl: string | null;
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

/** The escrow as created (blank until then), and what its later events made of it. */
export interface EscrowState extends EscrowCreatedData {
  exists: boolean;
  onDeadline: OnDeadline;
  status: EscrowStatus;
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

/** held = deposited − paid − refunded − spent − failed (API-RULES.md §3). */
export function heldOf(state: EscrowState): string {
  return [state.paid, state.refunded, state.spent, state.failed]
    .reduce((acc, x) => acc.minus(money(state, x)), money(state, state.deposited))
    .toString();
}

/** The balance field a payment kind counts in while PENDING, SENT or SETTLED. */
export const kindBalance = { payout: 'paid', refund: 'refunded', spend: 'spent' } as const;

/** Pending deposits that count toward the total (those initiated within the cap). */
export function countedPending(state: EscrowState): Money {
  return money(state, state.pending).minus(money(state, state.pendingBeyondCap));
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
