/**
 * Shared givens for the escrow decider specs: event and command builders in any currency, and
 * one real event stream per escrow status (DRAFT, FUNDED, RELEASABLE, RELEASED, REFUNDED,
 * CANCELLED), each exactly what the decider emits, so every cell of API-RULES.md §2 runs on a
 * folded state rather than on a status set by hand. The specs of this file check those streams
 * (status, balances, invariants) in escrow.decider.spec.ts.
 */
import { DomainError } from '@kob/kernel';
import { deciderSpec } from './decider-spec';
import type {
  ApproveAndPayMilestone,
  CheckDeadline,
  ClientApprove,
  ClientReject,
  ConfirmDeposit,
  CreateEscrow,
  Deposit,
  EscrowCommand,
  FailDeposit,
  AddMilestone,
  MarkDelivered,
  RecordPaymentFailed,
  RecordPaymentSent,
  RetryPayment,
  SettlePayment,
} from '../escrow/escrow.commands';
import { escrowDecider } from '../escrow/escrow.decider';
import type { EscrowEvent } from '../escrow/escrow.events';
import { assertBalances } from '../escrow/escrow.rules';
import type { EscrowState, EscrowStatus } from '../escrow/escrow.state';

import { CLIENT, DEADLINE, E, NOW, PROVIDER, SEED, SEED_IDS } from './escrow-fixture-constants';
import {
  type PaymentSpecRef,
  closingEvents,
  deliveryEvents,
  fundingEvents,
  milestoneEvents,
  paymentEvents,
} from './escrow-fixture-events';

export const spec = deciderSpec(escrowDecider);

export * from './escrow-fixture-constants';
export type { EventOf, PaymentSpecRef } from './escrow-fixture-events';

/** Event builders in one currency: amounts are passed as the decider writes them (at scale). */
export function eventsIn(currency: string, scale: number) {
  const funding = fundingEvents(currency, scale);
  return {
    currency,
    scale,
    payment: (p: PaymentSpecRef) => paymentEvents(currency, p),
    ...funding,
    /** A deposit initiated and confirmed, leaving `heldAfter` held. */
    deposited: (depositId: string, amount: string, heldAfter: string): EscrowEvent[] => [
      funding.depositInitiated(depositId, amount),
      funding.depositConfirmed(depositId, amount, heldAfter),
    ],
    ...deliveryEvents(currency),
    ...milestoneEvents(currency),
    ...closingEvents(currency),
  };
}

export const usd = eventsIn('USD', 2);

/** Command builders; `now` defaults to NOW, payment ids to readable names. */
export const cmd = {
  create: (over: Partial<CreateEscrow> = {}): CreateEscrow => ({
    type: 'CreateEscrow',
    escrowId: E,
    clientId: CLIENT,
    providerId: PROVIDER,
    amountTotal: '100.00',
    currency: 'USD',
    scale: 2,
    releaseConditions: {},
    deadlineAt: DEADLINE,
    now: NOW,
    ...over,
  }),
  deposit: (depositId: string, amount: string, over: Partial<Deposit> = {}): Deposit => ({
    type: 'Deposit',
    escrowId: E,
    depositId,
    amount,
    pspConfirmed: null,
    refundPaymentId: `refund-${depositId}`,
    now: NOW,
    ...over,
  }),
  /** A deposit with its confirmation in hand (the PSP reports the amount asked for). */
  depositCollected: (depositId: string, amount: string, currency = 'USD'): Deposit =>
    cmd.deposit(depositId, amount, {
      pspConfirmed: { pspRef: `psp-${depositId}`, reported: { amount, currency } },
    }),
  /** The PSP's confirmation of a pending deposit of `amount` (reported as collected, in USD). */
  confirm: (
    depositId: string,
    amount: string,
    over: Partial<ConfirmDeposit> = {},
  ): ConfirmDeposit => ({
    type: 'ConfirmDeposit',
    escrowId: E,
    depositId,
    pspRef: `psp-${depositId}`,
    reported: { amount, currency: 'USD' },
    refundPaymentId: `refund-${depositId}`,
    now: NOW,
    ...over,
  }),
  failDeposit: (depositId: string): FailDeposit => ({
    type: 'FailDeposit',
    escrowId: E,
    depositId,
    reason: 'declined',
    now: NOW,
  }),
  addMilestone: (over: Partial<AddMilestone> = {}): AddMilestone => ({
    type: 'AddMilestone',
    escrowId: E,
    milestoneId: 'm9',
    label: 'Extra',
    amount: '10.00',
    currency: 'USD',
    sequenceIndex: 9,
    // The fixtures' milestones are photo milestones; without a kind a milestone is kind-less (D5).
    proofKind: 'PHOTO',
    now: NOW,
    ...over,
  }),
  markDelivered: (over: Partial<MarkDelivered> = {}): MarkDelivered => ({
    type: 'MarkDelivered',
    escrowId: E,
    now: NOW,
    ...over,
  }),
  checkDeadline: (now: string, idSeed: string = SEED): CheckDeadline => ({
    type: 'CheckDeadline',
    escrowId: E,
    idSeed,
    now,
  }),
  release: (milestoneId: string, paymentId: string): ApproveAndPayMilestone => ({
    type: 'ApproveAndPayMilestone',
    escrowId: E,
    milestoneId,
    paymentId,
    source: 'release',
    now: NOW,
  }),
  approve: (over: Partial<ClientApprove> = {}): ClientApprove => ({
    type: 'ClientApprove',
    escrowId: E,
    idSeed: SEED,
    now: NOW,
    ...over,
  }),
  reject: (over: Partial<ClientReject> = {}): ClientReject => ({
    type: 'ClientReject',
    escrowId: E,
    idSeed: SEED,
    now: NOW,
    ...over,
  }),
  sent: (paymentId: string, pspRef = `psp-${paymentId}`): RecordPaymentSent => ({
    type: 'RecordPaymentSent',
    escrowId: E,
    paymentId,
    pspRef,
    now: NOW,
  }),
  failPayment: (
    paymentId: string,
    over: Partial<RecordPaymentFailed> = {},
  ): RecordPaymentFailed => ({
    type: 'RecordPaymentFailed',
    escrowId: E,
    paymentId,
    reason: 'declined',
    now: NOW,
    ...over,
  }),
  settle: (paymentId: string, webhookEventId = 'sim:w1'): SettlePayment => ({
    type: 'SettlePayment',
    escrowId: E,
    paymentId,
    webhookEventId,
    now: NOW,
  }),
  retry: (paymentId: string, retryPaymentId: string): RetryPayment => ({
    type: 'RetryPayment',
    escrowId: E,
    paymentId,
    retryPaymentId,
    now: NOW,
  }),
};

export function fold(events: EscrowEvent[]): EscrowState {
  return events.reduce(escrowDecider.evolve, escrowDecider.initialState());
}

/** The events a command decides on a stream (for specs that look at the state afterwards). */
export function decideOn(events: EscrowEvent[], command: EscrowCommand): EscrowEvent[] {
  return escrowDecider.decide(command, fold(events));
}

/** The DomainError a command raises on a stream (for cells whose details matter). */
export function errorOf(events: EscrowEvent[], command: EscrowCommand): DomainError {
  try {
    escrowDecider.decide(command, fold(events));
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error(`expected a DomainError from ${command.type}`);
}

// ---- One stream per status (USD, total 100.00, milestones m1 40.00 then m2 60.00) ----

export const m1 = usd.milestone({
  milestoneId: 'm1',
  label: 'Foundations',
  amount: '40.00',
  sequenceIndex: 1,
});
export const m2 = usd.milestone({
  milestoneId: 'm2',
  label: 'Roof',
  amount: '60.00',
  sequenceIndex: 2,
});

const created = usd.created();
/** DRAFT, nothing deposited. */
export const draft: EscrowEvent[] = [created];
/** DRAFT with both milestones and a confirmed partial deposit of 50.00 (held 50.00). */
export const draftPartial: EscrowEvent[] = [
  created,
  m1,
  m2,
  ...usd.deposited('d1', '50.00', '50.00'),
];
/** The deposit of the whole total that funds the escrow (held 100.00). */
const fullDeposit: EscrowEvent[] = [
  ...usd.deposited('d1', '100.00', '100.00'),
  usd.funded('100.00'),
];
/** FUNDED without milestones (held 100.00). */
export const fundedBare: EscrowEvent[] = [created, ...fullDeposit];
/** FUNDED with both milestones WAITING (held 100.00). */
export const funded: EscrowEvent[] = [created, m1, m2, ...fullDeposit];
export const releasable: EscrowEvent[] = [...funded, usd.delivered()];

/** Client-approve on `funded`: both milestones paying, nothing held. */
const approvePayouts = {
  p0: usd.payment({ paymentId: SEED_IDS[0], kind: 'payout', amount: '40.00', milestoneId: 'm1' }),
  p1: usd.payment({ paymentId: SEED_IDS[1], kind: 'payout', amount: '60.00', milestoneId: 'm2' }),
};
export const released: EscrowEvent[] = [
  ...funded,
  usd.approved('m1', 'client_approve'),
  approvePayouts.p0.initiated({ reason: 'client_approve', heldAfter: '60.00' }),
  usd.approved('m2', 'client_approve'),
  approvePayouts.p1.initiated({ reason: 'client_approve', heldAfter: '0.00' }),
  usd.released('client_approve', [SEED_IDS[0], SEED_IDS[1]]),
];
/** The client-reject refund of everything held (`amount`), paid by the first seeded id. */
const rejectRefund = (amount: string) =>
  usd
    .payment({ paymentId: SEED_IDS[0], kind: 'refund', amount })
    .initiated({ reason: 'client_reject', heldAfter: '0.00' });
/** Client-reject on `funded`: milestones still WAITING, everything refunded. */
export const refunded: EscrowEvent[] = [
  ...funded,
  rejectRefund('100.00'),
  usd.refunded('client_reject', '100.00', SEED_IDS[0]),
];
/** Client-reject on `draftPartial`: the 50.00 deposited goes back, milestones still WAITING. */
export const cancelled: EscrowEvent[] = [
  ...draftPartial,
  rejectRefund('50.00'),
  usd.cancelled('client_reject', {
    refundsDue: [{ depositId: 'd1', amount: '50.00' }],
    refundTotal: '50.00',
    refundPaymentId: SEED_IDS[0],
  }),
];

/** A stream for every status, for the cells of API-RULES.md §2 that run in each. */
export const byStatus: Record<EscrowStatus, EscrowEvent[]> = {
  DRAFT: draftPartial,
  FUNDED: funded,
  RELEASABLE: releasable,
  RELEASED: released,
  REFUNDED: refunded,
  CANCELLED: cancelled,
};
export const terminal = ['RELEASED', 'REFUNDED', 'CANCELLED'] as const;
