/** Escrow event builders in one currency, as the decider writes them (amounts at scale). */
import type {
  ApprovalSource,
  CloseReason,
  EscrowEvent,
  PaymentKind,
  PaymentReason,
  RefundDue,
  ReleaseReason,
} from '../escrow/escrow.events';
import { CLIENT, DEADLINE, E, NOW, PAYEE, PROVIDER } from './escrow-fixture-constants';

export type EventOf<T extends EscrowEvent['type']> = Extract<EscrowEvent, { type: T }>;

/**
 * A builder of `type` events whose data is `defaults` with a spec's `over` laid on top, so a spec
 * names only the fields it is about.
 */
function withDefaults<T extends EscrowEvent['type']>(type: T, defaults: EventOf<T>['data']) {
  return (over: Partial<EventOf<T>['data']> = {}): EventOf<T> =>
    ({ type, data: { ...defaults, ...over } }) as EventOf<T>;
}

export interface PaymentSpecRef {
  paymentId: string;
  kind: PaymentKind;
  amount: string;
  milestoneId?: string | null;
}

export function paymentEvents(currency: string, p: PaymentSpecRef) {
  const ref = {
    escrowId: E,
    paymentId: p.paymentId,
    kind: p.kind,
    amount: p.amount,
    currency,
    milestoneId: p.milestoneId ?? null,
    beneficiaryId: p.kind === 'refund' ? CLIENT : p.kind === 'payout' ? PROVIDER : PAYEE,
  };
  return {
    ref,
    initiated: (o: InitiatedOptions) => paymentInitiated(ref, o),
    sent(pspRef = `psp-${p.paymentId}`, at = NOW): EventOf<'payment.sent.v1'> {
      return { type: 'payment.sent.v1', data: { ...ref, pspRef, sentAt: at } };
    },
    settled(
      pspRef = `psp-${p.paymentId}`,
      webhookEventId = 'sim:w1',
    ): EventOf<'payment.settled.v1'> {
      return {
        type: 'payment.settled.v1',
        data: { ...ref, pspRef, webhookEventId, settledAt: NOW },
      };
    },
    failed(o: {
      afterSent: boolean;
      pspRef?: string | null;
      reason?: string;
      webhookEventId?: string | null;
    }): EventOf<'payment.failed.v1'> {
      return {
        type: 'payment.failed.v1',
        data: {
          ...ref,
          reason: o.reason ?? 'declined',
          afterSent: o.afterSent,
          pspRef: o.pspRef ?? null,
          webhookEventId: o.webhookEventId ?? null,
          failedAt: NOW,
        },
      };
    },
    retried(retryPaymentId: string): EventOf<'payment.retried.v1'> {
      return {
        type: 'payment.retried.v1',
        data: { escrowId: E, paymentId: p.paymentId, retryPaymentId, currency, retriedAt: NOW },
      };
    },
  };
}

interface InitiatedOptions {
  reason: PaymentReason;
  heldAfter: string;
  retryOf?: string;
  depositId?: string;
  at?: string;
}

function paymentInitiated(
  ref: Omit<
    EventOf<'payment.initiated.v1'>['data'],
    'reason' | 'retryOf' | 'depositId' | 'heldAfter' | 'initiatedAt'
  >,
  o: InitiatedOptions,
): EventOf<'payment.initiated.v1'> {
  const { escrowId, paymentId, kind, amount, currency, milestoneId, beneficiaryId } = ref;
  return {
    type: 'payment.initiated.v1',
    data: {
      escrowId,
      paymentId,
      kind,
      amount,
      currency,
      milestoneId,
      beneficiaryId,
      reason: o.reason,
      retryOf: o.retryOf ?? null,
      depositId: o.depositId ?? null,
      heldAfter: o.heldAfter,
      initiatedAt: o.at ?? NOW,
    },
  };
}

/** Creation and deposits. */
export function fundingEvents(currency: string, scale: number) {
  return {
    created: withDefaults('escrow.created.v1', {
      escrowId: E,
      clientId: CLIENT,
      providerId: PROVIDER,
      amountTotal: '100.00',
      currency,
      scale,
      releaseConditions: { on_deadline: 'release' },
      deadlineAt: DEADLINE,
      domain: 'private',
      createdAt: NOW,
    }),
    depositInitiated(
      depositId: string,
      amount: string,
      pspRef?: string,
    ): EventOf<'escrow.deposit_initiated.v1'> {
      return {
        type: 'escrow.deposit_initiated.v1',
        data: {
          escrowId: E,
          depositId,
          amount,
          currency,
          ...(pspRef ? { pspRef } : {}),
          initiatedAt: NOW,
        },
      };
    },
    depositConfirmed(
      depositId: string,
      amount: string,
      heldAfter: string,
      flags: { afterClose?: boolean; aboveTotal?: boolean; at?: string } = {},
    ): EventOf<'escrow.deposit_confirmed.v1'> {
      return {
        type: 'escrow.deposit_confirmed.v1',
        data: {
          escrowId: E,
          depositId,
          amount,
          currency,
          pspRef: `psp-${depositId}`,
          afterClose: flags.afterClose ?? false,
          ...(flags.aboveTotal ? { aboveTotal: true } : {}),
          heldAfter,
          confirmedAt: flags.at ?? NOW,
        },
      };
    },
    depositFailed(depositId: string, amount: string): EventOf<'escrow.deposit_failed.v1'> {
      return {
        type: 'escrow.deposit_failed.v1',
        data: { escrowId: E, depositId, amount, currency, reason: 'declined', failedAt: NOW },
      };
    },
  };
}

/** Funding and delivery. */
export function deliveryEvents(currency: string) {
  return {
    funded(amountTotal: string, at = NOW): EventOf<'escrow.funded.v1'> {
      return {
        type: 'escrow.funded.v1',
        data: { escrowId: E, amountTotal, currency, fundedAt: at },
      };
    },
    delivered(
      note: string | null = null,
      proofUrl: string | null = null,
    ): EventOf<'escrow.delivered.v1'> {
      return {
        type: 'escrow.delivered.v1',
        data: { escrowId: E, note, proofUrl, deliveredAt: NOW },
      };
    },
  };
}

/** Milestones added, approved, paid. */
export function milestoneEvents(currency: string) {
  return {
    milestone: withDefaults('milestone.added.v1', {
      escrowId: E,
      milestoneId: 'm1',
      label: 'Foundations',
      amount: '40.00',
      currency,
      sequenceIndex: 1,
      status: 'WAITING',
      proofKind: 'PHOTO',
      proofRequirements: {},
      geofence: null,
      addedAt: NOW,
    }),
    approved(
      milestoneId: string,
      source: ApprovalSource,
      at = NOW,
    ): EventOf<'milestone.approved.v1'> {
      return {
        type: 'milestone.approved.v1',
        data: { escrowId: E, milestoneId, source, approvedAt: at },
      };
    },
    paid(milestoneId: string, paymentId: string): EventOf<'milestone.paid.v1'> {
      return {
        type: 'milestone.paid.v1',
        data: { escrowId: E, milestoneId, paymentId, paidAt: NOW },
      };
    },
  };
}

/** The client's note (left out when there is none) and the time of a closing event. */
interface ClosingOptions {
  note?: string;
  at?: string;
}

/** Release, refund, cancellation: each names the escrow, the reason, the currency and the note. */
export function closingEvents(currency: string) {
  const closing = <Reason>(reason: Reason, o: ClosingOptions) => ({
    escrowId: E,
    reason,
    currency,
    ...(o.note ? { note: o.note } : {}),
  });
  return {
    released(
      reason: ReleaseReason,
      paymentIds: string[],
      o: ClosingOptions = {},
    ): EventOf<'escrow.released.v1'> {
      return {
        type: 'escrow.released.v1',
        data: { ...closing(reason, o), paymentIds, releasedAt: o.at ?? NOW },
      };
    },
    refunded(
      reason: CloseReason,
      refundTotal: string,
      refundPaymentId: string | null,
      o: ClosingOptions = {},
    ): EventOf<'escrow.refunded.v1'> {
      return {
        type: 'escrow.refunded.v1',
        data: { ...closing(reason, o), refundTotal, refundPaymentId, refundedAt: o.at ?? NOW },
      };
    },
    cancelled(
      reason: CloseReason,
      o: ClosingOptions & {
        refundsDue: RefundDue[];
        refundTotal: string;
        refundPaymentId: string | null;
        pendingDepositIds?: string[];
      },
    ): EventOf<'escrow.cancelled.v1'> {
      return {
        type: 'escrow.cancelled.v1',
        data: {
          ...closing(reason, o),
          refundsDue: o.refundsDue,
          refundTotal: o.refundTotal,
          refundPaymentId: o.refundPaymentId,
          pendingDepositIds: o.pendingDepositIds ?? [],
          cancelledAt: o.at ?? NOW,
        },
      };
    },
  };
}
