/**
 * Sends payments the escrow stream has initiated (API-RULES.md §3, in this order): the
 * `payment.initiated.v1` is already appended; the PSP is called with the payment id as its
 * idempotency key, outside any optimistic-concurrency retry loop; its outcome is appended after
 * (`payment.sent.v1` with the PSP reference reserved, or `payment.failed.v1` for a decline). A
 * PSP that does not answer, or answers something unreadable, leaves the payment PENDING: never a
 * 5xx and never a lost record; `POST /payments/execute/{id}` or the recovery job sends it again
 * under the same key, so the PSP cannot pay twice.
 */
import {
  escrowDecider,
  type EscrowState,
  type PaymentInitiatedData,
  type PaymentState,
} from '@kob/domain';
import { DomainError, newId } from '@kob/kernel';
import { type Position, latestPosition } from '@kob/event-store';
import type { CommandMetadata, Platform } from '@kob/platform';
import { type Transferred, transferAt } from './psp-outcomes';
import { paymentFailedAlerts } from './payment-alerts';
import { mayHaveParked, pspRefClaim } from './psp-refs';

export interface SentPayment {
  payment: PaymentState;
  /** Position of what this call appended (null when it appended nothing). */
  position: Position | null;
}

/** Metadata of a step that follows a command (its outcome): same actor and request, new command. */
export function followUp(metadata: CommandMetadata): CommandMetadata {
  const { idempotency: _idempotency, ...rest } = metadata;
  return { ...rest, commandId: newId(), causationId: metadata.commandId, now: new Date() };
}

export { latestPosition } from '@kob/event-store';

/** The payments a command's events started. */
export function initiatedPaymentIds(events: readonly { type: string; data: unknown }[]): string[] {
  return events.flatMap((e) =>
    e.type === 'payment.initiated.v1' ? [(e.data as PaymentInitiatedData).paymentId] : [],
  );
}

export function paymentNotFound(): DomainError {
  return new DomainError('PAYMENT_NOT_FOUND', 'Payment not found.', 'not_found');
}

export class PaymentSender {
  constructor(
    private readonly platform: Platform,
    /** Called once a PSP reference is recorded: webhooks parked for it are applied. */
    private readonly onReferenceRecorded: (
      pspRef: string,
      metadata: CommandMetadata,
    ) => Promise<void>,
  ) {}

  /** Sends one payment if it is PENDING; any other status is returned as it is. */
  async send(escrowId: string, paymentId: string, metadata: CommandMetadata): Promise<SentPayment> {
    const streamId = `escrow-${escrowId}`;
    const { state } = await this.platform.commands.read(streamId, escrowDecider);
    const payment = state.payments.find((p) => p.paymentId === paymentId);
    if (!payment) throw paymentNotFound();
    if (payment.status !== 'PENDING') return { payment, position: null };
    const outcome = await this.transfer(state, payment);
    if (outcome.kind === 'unknown') return { payment, position: null };
    const meta = followUp(metadata);
    const now = meta.now.toISOString();
    const claim =
      outcome.kind === 'sent'
        ? await pspRefClaim(this.platform, outcome.pspRef, escrowId, 'payment', paymentId)
        : null;
    const result = await this.platform.commands.execute({
      streamId,
      decider: escrowDecider,
      command:
        outcome.kind === 'sent'
          ? { type: 'RecordPaymentSent', escrowId, paymentId, pspRef: outcome.pspRef, now }
          : { type: 'RecordPaymentFailed', escrowId, paymentId, reason: outcome.reason, now },
      metadata: meta,
      claims: claim ? [claim] : [],
      extra: paymentFailedAlerts,
    });
    if (outcome.kind === 'sent' && claim && mayHaveParked(result, claim))
      await this.onReferenceRecorded(outcome.pspRef, meta);
    const after = result.state.payments.find((p) => p.paymentId === paymentId)!;
    return { payment: after, position: result.position };
  }

  /** Sends several payments of one escrow concurrently (their appends queue on the stream). */
  async sendAll(
    escrowId: string,
    paymentIds: readonly string[],
    metadata: CommandMetadata,
  ): Promise<Position | null> {
    const sent = await Promise.all(paymentIds.map((id) => this.send(escrowId, id, metadata)));
    return latestPosition(sent.map((s) => s.position));
  }

  private transfer(state: EscrowState, payment: PaymentState): Promise<Transferred> {
    return transferAt(this.platform.psp, {
      idempotencyKey: payment.paymentId,
      amount: payment.amount,
      currency: state.currency,
      beneficiary: payment.beneficiaryId,
      reference: `escrow-${state.escrowId}`,
    });
  }
}
