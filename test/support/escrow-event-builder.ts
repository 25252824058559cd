/**
 * Crafted escrow events for ledger tests: data typed by libs/domain's escrow.events.ts, metadata
 * with the test's system actor (the store refuses events without one). Tests append them with the
 * store (through the real runner) or turn them into recorded events with made-up positions to
 * feed a projector directly. Crafting, rather than driving the API, lets a test state exactly
 * which events the ledger sees, including ones the decider would never emit.
 */
import { randomUUID } from 'node:crypto';
import type { EscrowEvent, PaymentKind } from '@kob/domain';
import type { AppendMetadata, NewEvent, Position, RecordedEvent } from '@kob/event-store';
import { systemActor } from '@kob/kernel';

type EscrowEventType = EscrowEvent['type'];
type DataOf<T extends EscrowEventType> = Extract<EscrowEvent, { type: T }>['data'];

/** What payment.sent/settled/failed repeat of the payment they follow. */
export interface PaymentRef {
  paymentId: string;
  kind: PaymentKind;
  amount: string;
  beneficiaryId: string;
  milestoneId: string | null;
}

const AT = '2026-11-27T10:00:00.000Z';

export function testEventMetadata(): AppendMetadata {
  const id = randomUUID();
  return {
    actor: systemActor('system:test'),
    commandId: id,
    correlationId: id,
    causationId: id,
    occurredAt: AT,
  };
}

export class EscrowEventBuilder {
  readonly escrowId = randomUUID();
  readonly streamId = `escrow-${this.escrowId}`;
  readonly clientId: string;
  readonly providerId: string;

  constructor(
    readonly currency = 'USD',
    readonly scale = 2,
    parties: { clientId?: string; providerId?: string } = {},
  ) {
    this.clientId = parties.clientId ?? randomUUID();
    this.providerId = parties.providerId ?? randomUUID();
  }

  event<T extends EscrowEventType>(type: T, data: DataOf<T>): NewEvent {
    return { id: randomUUID(), type, data, metadata: testEventMetadata() };
  }

  private base() {
    return { escrowId: this.escrowId, currency: this.currency };
  }

  created(amountTotal: string): NewEvent {
    return this.event('escrow.created.v1', {
      ...this.base(),
      clientId: this.clientId,
      providerId: this.providerId,
      amountTotal,
      scale: this.scale,
      releaseConditions: { on_deadline: 'release' },
      deadlineAt: '2027-12-31T00:00:00.000Z',
      domain: 'private',
      createdAt: AT,
    });
  }

  depositInitiated(amount: string, depositId = randomUUID()): NewEvent {
    return this.event('escrow.deposit_initiated.v1', {
      ...this.base(),
      depositId,
      amount,
      initiatedAt: AT,
    });
  }

  /** `heldAfter: null` leaves the field out, as confirmations of the first increment did. */
  depositConfirmed(
    amount: string,
    o: { heldAfter: string | null; afterClose?: boolean; aboveTotal?: boolean; depositId?: string },
  ): NewEvent {
    return this.event('escrow.deposit_confirmed.v1', {
      ...this.base(),
      depositId: o.depositId ?? randomUUID(),
      amount,
      pspRef: `SIM-${randomUUID().slice(0, 8)}`,
      afterClose: o.afterClose ?? false,
      ...(o.aboveTotal ? { aboveTotal: true } : {}),
      ...(o.heldAfter !== null ? { heldAfter: o.heldAfter } : {}),
      confirmedAt: AT,
    });
  }

  depositFailed(amount: string): NewEvent {
    return this.event('escrow.deposit_failed.v1', {
      ...this.base(),
      depositId: randomUUID(),
      amount,
      reason: 'declined',
      failedAt: AT,
    });
  }

  /** A payment.initiated.v1 and the reference its later events repeat. */
  initiated(p: {
    kind: PaymentKind;
    amount: string;
    heldAfter: string;
    beneficiaryId?: string;
    retryOf?: string | null;
    milestoneId?: string | null;
    depositId?: string | null;
  }): { event: NewEvent; payment: PaymentRef } {
    const beneficiaryId =
      p.beneficiaryId ??
      (p.kind === 'payout' ? this.providerId : p.kind === 'refund' ? this.clientId : 'shop-1');
    const payment: PaymentRef = {
      paymentId: randomUUID(),
      kind: p.kind,
      amount: p.amount,
      beneficiaryId,
      milestoneId: p.milestoneId ?? null,
    };
    const event = this.event('payment.initiated.v1', {
      ...this.base(),
      ...payment,
      reason: p.retryOf ? 'retry' : p.kind === 'refund' ? 'client_reject' : 'client_approve',
      retryOf: p.retryOf ?? null,
      depositId: p.depositId ?? null,
      heldAfter: p.heldAfter,
      initiatedAt: AT,
    });
    return { event, payment };
  }

  sent(p: PaymentRef): NewEvent {
    return this.event('payment.sent.v1', {
      ...this.base(),
      ...p,
      pspRef: `SIM-${p.paymentId.slice(0, 8)}`,
      sentAt: AT,
    });
  }

  settled(p: PaymentRef): NewEvent {
    return this.event('payment.settled.v1', {
      ...this.base(),
      ...p,
      pspRef: `SIM-${p.paymentId.slice(0, 8)}`,
      webhookEventId: `simulator:${randomUUID()}`,
      settledAt: AT,
    });
  }

  failed(p: PaymentRef, afterSent: boolean): NewEvent {
    return this.event('payment.failed.v1', {
      ...this.base(),
      ...p,
      reason: afterSent ? 'returned by the bank' : 'declined',
      afterSent,
      pspRef: afterSent ? `SIM-${p.paymentId.slice(0, 8)}` : null,
      webhookEventId: afterSent ? `simulator:${randomUUID()}` : null,
      failedAt: AT,
    });
  }

  retried(p: PaymentRef, retry: PaymentRef): NewEvent {
    return this.event('payment.retried.v1', {
      ...this.base(),
      paymentId: p.paymentId,
      retryPaymentId: retry.paymentId,
      retriedAt: AT,
    });
  }

  /** The events that move no money, one of each kind (milestone ones for `milestoneId`). */
  noMoneyEvents(milestoneId: string, paymentId: string): NewEvent[] {
    return [
      this.depositInitiated('1'),
      this.depositFailed('1'),
      this.event('milestone.added.v1', {
        ...this.base(),
        milestoneId,
        label: 'first',
        amount: '1',
        sequenceIndex: 1,
        status: 'WAITING',
        proofKind: 'PHOTO',
        proofRequirements: {},
        geofence: null,
        addedAt: AT,
      }),
      this.event('escrow.funded.v1', { ...this.base(), amountTotal: '1', fundedAt: AT }),
      this.event('escrow.delivered.v1', {
        escrowId: this.escrowId,
        note: null,
        proofUrl: null,
        deliveredAt: AT,
      }),
      this.event('milestone.approved.v1', {
        escrowId: this.escrowId,
        milestoneId,
        source: 'release',
        approvedAt: AT,
      }),
      this.event('milestone.paid.v1', {
        escrowId: this.escrowId,
        milestoneId,
        paymentId,
        paidAt: AT,
      }),
      this.event('escrow.released.v1', {
        ...this.base(),
        reason: 'client_approve',
        paymentIds: [paymentId],
        releasedAt: AT,
      }),
      this.event('escrow.refunded.v1', {
        ...this.base(),
        reason: 'client_reject',
        refundTotal: '0',
        refundPaymentId: null,
        refundedAt: AT,
      }),
      this.event('escrow.cancelled.v1', {
        ...this.base(),
        reason: 'deadline',
        refundsDue: [],
        refundTotal: '0',
        refundPaymentId: null,
        pendingDepositIds: [],
        cancelledAt: AT,
      }),
    ];
  }
}

/**
 * Recorded events with made-up, increasing positions, for feeding a projector without a store.
 * `next` is shared by a test file so positions never repeat (the ledger keeps them unique).
 */
export function asRecorded(
  streamId: string,
  events: readonly NewEvent[],
  next: { tx: bigint; pos: bigint },
): RecordedEvent[] {
  return events.map((e, revision) => {
    next.pos += 1n;
    const position: Position = { tx: next.tx, pos: next.pos };
    return {
      id: e.id,
      streamId,
      revision: BigInt(revision),
      type: e.type,
      data: e.data,
      metadata: { ...e.metadata, prevHash: '', hash: '' },
      position,
      recordedAt: new Date(AT),
    };
  });
}
