/**
 * A payment's life after its initiation (API-RULES.md §3): PENDING → SENT (the PSP accepted it)
 * → SETTLED (webhook only), or → FAILED (a decline, or a webhook after it was sent). States move
 * only along those arrows: a FAILED payment is never settled and a SETTLED one never fails
 * (the old service's B15); a repeat of a move already made appends nothing. A FAILED payment
 * stays owed: a retry starts a new payment for it (`retryOf`) and moves no held money. These
 * commands work on closed escrows too: a payment started before the close still finishes.
 *
 * When a milestone payout is sent the milestone is PAID, and the escrow is RELEASED if it has
 * milestones, all are PAID and nothing is held (the automatic row of §2).
 */
import { DomainError } from '@kob/kernel';
import type {
  RecordPaymentFailed,
  RecordPaymentSent,
  RetryPayment,
  SettlePayment,
} from './escrow.commands';
import type { EscrowEvent } from './escrow.events';
import { findPayment, initiation, paymentRef, paymentTransition } from './escrow.rules';
import { type EscrowState, isTerminal, money } from './escrow.state';
import * as v from './escrow.validate';

const pspRefLengthMax = 255;
const failureReasonLengthMax = 500;

export function recordSent(command: RecordPaymentSent, state: EscrowState): EscrowEvent[] {
  const p = findPayment(state, command.paymentId);
  v.nowMs(command.now);
  const pspRef = v.requiredText(command.pspRef, 'psp_ref', pspRefLengthMax);
  if (p.status === 'SENT' || p.status === 'SETTLED') return [];
  if (p.status !== 'PENDING') throw paymentTransition(p, 'record-sent', 'SENT');
  const events: EscrowEvent[] = [
    { type: 'payment.sent.v1', data: { ...paymentRef(state, p), pspRef, sentAt: command.now } },
  ];
  if (p.kind !== 'payout' || p.milestoneId === null) return events;
  events.push({
    type: 'milestone.paid.v1',
    data: {
      escrowId: state.escrowId,
      milestoneId: p.milestoneId,
      paymentId: p.paymentId,
      paidAt: command.now,
    },
  });
  const allPaid = state.milestones.every(
    (m) => m.milestoneId === p.milestoneId || m.status === 'PAID',
  );
  if (!isTerminal(state.status) && allPaid && !money(state, state.held).isPositive()) {
    events.push({
      type: 'escrow.released.v1',
      data: {
        escrowId: state.escrowId,
        reason: 'all_milestones_paid',
        currency: state.currency,
        paymentIds: [],
        releasedAt: command.now,
      },
    });
  }
  return events;
}

export function recordFailed(command: RecordPaymentFailed, state: EscrowState): EscrowEvent[] {
  const p = findPayment(state, command.paymentId);
  v.nowMs(command.now);
  const reason = v.requiredText(command.reason, 'reason', failureReasonLengthMax);
  if (p.status === 'FAILED') return [];
  if (p.status === 'SETTLED') throw paymentTransition(p, 'record-failed', 'FAILED');
  return [
    {
      type: 'payment.failed.v1',
      data: {
        ...paymentRef(state, p),
        reason,
        afterSent: p.status === 'SENT',
        pspRef: p.pspRef,
        webhookEventId: command.webhookEventId ?? null,
        failedAt: command.now,
      },
    },
  ];
}

export function settlePayment(command: SettlePayment, state: EscrowState): EscrowEvent[] {
  const p = findPayment(state, command.paymentId);
  v.nowMs(command.now);
  if (p.status === 'SETTLED') return [];
  if (p.status !== 'SENT' || p.pspRef === null) throw paymentTransition(p, 'settle', 'SETTLED');
  return [
    {
      type: 'payment.settled.v1',
      data: {
        ...paymentRef(state, p),
        pspRef: p.pspRef,
        webhookEventId: v.requiredText(command.webhookEventId, 'webhook_event_id', 512),
        settledAt: command.now,
      },
    },
  ];
}

export function retryPayment(command: RetryPayment, state: EscrowState): EscrowEvent[] {
  const p = findPayment(state, command.paymentId);
  v.nowMs(command.now);
  if (p.retriedBy === command.retryPaymentId) return [];
  if (p.status !== 'FAILED') throw paymentTransition(p, 'retry', 'PENDING');
  if (p.retriedBy !== null) {
    throw new DomainError(
      'PAYMENT_ALREADY_RETRIED',
      'this payment was already retried',
      'conflict',
      {
        paymentId: p.paymentId,
        retriedBy: p.retriedBy,
      },
    );
  }
  return [
    {
      type: 'payment.retried.v1',
      data: {
        escrowId: state.escrowId,
        paymentId: p.paymentId,
        retryPaymentId: command.retryPaymentId,
        currency: state.currency,
        retriedAt: command.now,
      },
    },
    initiation(state, {
      paymentId: command.retryPaymentId,
      kind: p.kind,
      amount: p.amount,
      milestoneId: p.milestoneId,
      reason: 'retry',
      retryOf: p.paymentId,
      depositId: p.depositId,
      beneficiaryId: p.beneficiaryId,
      held: state.held,
      now: command.now,
    }),
  ];
}
