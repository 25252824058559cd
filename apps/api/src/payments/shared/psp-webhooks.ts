/**
 * PSP webhooks (`POST /psp/webhook`, after its signature was verified): receipt, replay guard
 * and application, following API-RULES.md §3/§6 and KOBATELA-SPEC §4.11 with its defects fixed.
 * - Each webhook event has its own stream, named by a hash of (provider, event id). Its receipt
 *   is appended once; a second delivery finds it there, on any replica and after any restart,
 *   and answers `duplicate` changing nothing (the old service kept this in memory: B19).
 * - The reference is resolved through its `psp-ref-…` reservation, written with the deposit
 *   or payment that recorded it, never through a read model.
 * - Kinds move states only along §3's arrows, decided on the escrow stream: `payment.settled`
 *   (SENT → SETTLED), `payment.failed` (PENDING/SENT → FAILED), `deposit.confirmed`,
 *   `deposit.failed`; a move the escrow refuses (settling a FAILED payment, B15) is recorded as
 *   ignored with its reason. Unknown kinds are stored and ignored.
 * - A webhook for a reference not recorded yet is parked (a marker on the reservation stream,
 *   appended at the exact revision read, so it cannot miss a claim racing it) and applied as soon
 *   as the reference is recorded (`resumeParked`), or by the recovery job.
 * - An application that changes the escrow records the webhook's outcome (`applied`) in the same
 *   atomic append, so a crash cannot leave an applied webhook unrecorded (it would have been
 *   recorded as "ignored, already applied" by the next delivery). An outcome that changes
 *   nothing (ignored, parked) is recorded after; a crash before it leaves the webhook received
 *   but unprocessed, and the next delivery (or the recovery job) finishes it.
 * - `deposit.confirmed` credits only when the signed body states the amount and currency asked
 *   for (`amount` as a decimal string, `currency`); anything else is ignored with
 *   DEPOSIT_AMOUNT_MISMATCH and alerted, and nothing is credited.
 */
import {
  PSP_WEBHOOK_PARKED,
  type EscrowCommand,
  type PspWebhookParkedData,
  type PspWebhookReceivedData,
  type PspWebhookState,
  type WebhookOutcome,
  escrowDecider,
  pspWebhookDecider,
} from '@kob/domain';
import { DomainError, assert, limits, newId, sha256Hex, systemActor } from '@kob/kernel';
import { raiseAlert } from '@kob/platform';
import {
  type Position,
  type StreamAppend,
  WrongExpectedRevisionError,
  readReservation,
} from '@kob/event-store';
import {
  type CommandMetadata,
  type Platform,
  ConcurrencyConflictError,
  eventMetadataOf,
} from '@kob/platform';
import { type PaymentSender, followUp, initiatedPaymentIds } from './payment-sender';
import { depositMismatchAlert, paymentFailedAlerts } from './payment-alerts';
import { type PspRefOwner, pspRefStream } from './psp-refs';

/** A webhook as received: what its receipt event records, but for the time of receipt. */
export type WebhookInput = Omit<PspWebhookReceivedData, 'receivedAt'>;

export interface WebhookAnswer {
  eventId: string;
  duplicate: boolean;
  outcome: WebhookOutcome;
  detail: string | null;
  processedAt: string;
  /** Where the processing's last event is (null for a duplicate, which appended nothing). */
  position: Position | null;
}

type Action = 'settle' | 'fail' | 'confirm_deposit' | 'fail_deposit';
type Outcome = { outcome: WebhookOutcome; detail: string | null; target: string | null };

const ACTIONS: Record<string, Action> = {
  'payment.settled': 'settle',
  payment_succeeded: 'settle',
  'payment.failed': 'fail',
  payment_failed: 'fail',
  'deposit.confirmed': 'confirm_deposit',
  'deposit.failed': 'fail_deposit',
};

const ignored = (detail: string, target: string | null = null): Outcome => ({
  outcome: 'ignored',
  detail,
  target,
});

export function webhookStreamId(provider: string, eventId: string): string {
  return `psp-webhook-${sha256Hex(`${provider}\n${eventId}`)}`;
}

/** Metadata for webhook work triggered by another command (a reference just recorded). */
function asWebhook(metadata: CommandMetadata): CommandMetadata {
  return { ...followUp(metadata), actor: systemActor('psp:webhook') };
}

export class PspWebhooks {
  constructor(
    private readonly platform: Platform,
    private readonly sender: PaymentSender,
  ) {}

  async receive(input: WebhookInput, metadata: CommandMetadata): Promise<WebhookAnswer> {
    const streamId = webhookStreamId(input.provider, input.eventId);
    const now = metadata.now.toISOString();
    const received = await this.platform.commands.execute({
      streamId,
      decider: pspWebhookDecider,
      command: { type: 'ReceivePspWebhook', ...input, now },
      metadata,
    });
    const first = received.state;
    if (received.events.length === 0 && first.outcome !== null && first.processedAt !== null) {
      const { outcome, detail, processedAt } = first;
      return {
        eventId: input.eventId,
        duplicate: true,
        outcome,
        detail,
        processedAt,
        position: null,
      };
    }
    const done = await this.process(streamId, first, metadata);
    const { outcome, detail, processedAt } = done.state;
    return {
      eventId: input.eventId,
      duplicate: false,
      outcome: outcome!,
      detail,
      processedAt: processedAt!,
      position: done.position,
    };
  }

  /** Applies (or parks) a received webhook and records the outcome. Safe to repeat. */
  async process(
    streamId: string,
    webhook: PspWebhookState,
    metadata: CommandMetadata,
  ): Promise<{ state: PspWebhookState; position: Position | null }> {
    const result = await this.apply(streamId, webhook, metadata);
    const meta = followUp(metadata);
    const recorded = await this.platform.commands.execute({
      streamId,
      decider: pspWebhookDecider,
      command: { type: 'RecordPspWebhookOutcome', ...result, now: meta.now.toISOString() },
      metadata: meta,
    });
    return { state: recorded.state, position: recorded.position };
  }

  /** Applies the webhooks parked for a reference that has just been recorded. */
  async resumeParked(pspRef: string, metadata: CommandMetadata): Promise<void> {
    const events = await this.platform.store.readStream(await pspRefStream(this.platform, pspRef));
    const parked = new Set(
      events
        .filter((e) => e.type === PSP_WEBHOOK_PARKED)
        .map((e) => (e.data as PspWebhookParkedData).webhookStream),
    );
    for (const streamId of parked) {
      const { state } = await this.platform.commands.read(streamId, pspWebhookDecider);
      if (!state.exists || state.outcome === 'applied' || state.outcome === 'ignored') continue;
      await this.process(streamId, state, asWebhook(metadata));
    }
  }

  /** Whether the reference of a parked webhook has been recorded since (the job's check). */
  async referenceKnown(pspRef: string): Promise<boolean> {
    return (
      (await readReservation(this.platform.store, await pspRefStream(this.platform, pspRef)))
        .status === 'claimed'
    );
  }

  private async apply(
    streamId: string,
    w: PspWebhookState,
    metadata: CommandMetadata,
  ): Promise<Outcome> {
    const action = ACTIONS[w.kind];
    if (!action) return ignored(`event type ${w.kind} is not acted on`);
    if (!w.pspRef && w.headerPspRef) {
      return ignored(
        'the reference is only in X-PSP-Ref, which the signature does not cover: send psp_ref in the body',
      );
    }
    if (!w.pspRef) return ignored('the event names no PSP reference');
    const refStream = await pspRefStream(this.platform, w.pspRef);
    for (let attempt = 0; attempt < limits.appendRetriesMax; attempt++) {
      const reservation = await readReservation(this.platform.store, refStream);
      if (reservation.status === 'claimed') {
        return this.applyKnown(
          action,
          w,
          reservation.data as unknown as PspRefOwner,
          metadata,
          streamId,
        );
      }
      const marker: PspWebhookParkedData = {
        webhookStream: streamId,
        provider: w.provider,
        eventId: w.eventId,
        pspRef: w.pspRef,
        parkedAt: metadata.now.toISOString(),
      };
      try {
        // At the revision read: a claim racing this marker makes one of the two appends fail.
        await this.platform.store.appendToStream(
          refStream,
          [
            {
              id: newId(),
              type: PSP_WEBHOOK_PARKED,
              data: marker,
              metadata: eventMetadataOf(followUp(metadata)),
            },
          ],
          {
            expectedRevision: reservation.revision,
            ...(reservation.headHash ? { expectedHeadHash: reservation.headHash } : {}),
          },
        );
        return { outcome: 'parked', detail: 'the reference is not known yet', target: null };
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
      }
    }
    throw new ConcurrencyConflictError(refStream);
  }

  private async applyKnown(
    action: Action,
    w: PspWebhookState,
    owner: PspRefOwner,
    metadata: CommandMetadata,
    streamId: string,
  ): Promise<Outcome> {
    const target = owner.stream;
    const escrowId = target.slice('escrow-'.length);
    const webhookEventId = `${w.provider}:${w.eventId}`;
    const now = metadata.now.toISOString();
    const forPayment = action === 'settle' || action === 'fail';
    if (forPayment !== (owner.kind === 'payment'))
      return ignored(`the reference names a ${owner.kind}, not what ${w.kind} is about`, target);
    const reason = `PSP webhook ${w.kind}`;
    const command: EscrowCommand =
      action === 'settle'
        ? { type: 'SettlePayment', escrowId, paymentId: owner.id, webhookEventId, now }
        : action === 'fail'
          ? {
              type: 'RecordPaymentFailed',
              escrowId,
              paymentId: owner.id,
              reason,
              webhookEventId,
              now,
            }
          : action === 'confirm_deposit'
            ? {
                type: 'ConfirmDeposit',
                escrowId,
                depositId: owner.id,
                pspRef: w.pspRef!,
                reported: w.reported,
                refundPaymentId: newId(),
                now,
              }
            : { type: 'FailDeposit', escrowId, depositId: owner.id, reason, now };
    let events;
    try {
      const result = await this.platform.commands.execute({
        streamId: target,
        decider: escrowDecider,
        command,
        metadata: followUp(metadata),
        // The webhook's own outcome commits with what it changed (and a failed payment's alert).
        extra: async (decided, state, meta) => [
          ...(await paymentFailedAlerts(decided, state, meta)),
          await this.outcomeAppend(
            streamId,
            { outcome: 'applied', detail: decided.map((e) => e.type).join(', '), target },
            meta,
          ),
        ],
      });
      events = result.events;
    } catch (err) {
      if (err instanceof DomainError && err.code === 'DEPOSIT_AMOUNT_MISMATCH')
        await this.alertMismatch(target, owner.id, w, metadata);
      if (err instanceof DomainError && err.code !== 'CONCURRENCY_CONFLICT')
        return ignored(`${err.code}: ${err.message}`, target);
      throw err;
    }
    if (events.length === 0) return ignored('already applied: the state had moved there', target);
    const refunds = initiatedPaymentIds(events);
    if (refunds.length) await this.sender.sendAll(escrowId, refunds, metadata);
    return { outcome: 'applied', detail: events.map((e) => e.type).join(', '), target };
  }

  /**
   * The append recording a webhook's outcome, at the revision of its stream read now. An outcome
   * already recorded means another process applied this webhook after the escrow state this
   * decision used (a stale cache): a conflict, so the command decides again on a fresh escrow
   * (which then appends nothing: "already applied").
   */
  private async outcomeAppend(
    streamId: string,
    result: Outcome,
    metadata: CommandMetadata,
  ): Promise<StreamAppend> {
    const { state, revision } = await this.platform.commands.read(streamId, pspWebhookDecider);
    assert(revision !== null, `${streamId}: a webhook is applied before it is received`);
    const now = metadata.now.toISOString();
    const decided = pspWebhookDecider.decide(
      { type: 'RecordPspWebhookOutcome', ...result, now },
      state,
    );
    if (decided.length === 0) throw new WrongExpectedRevisionError(streamId, revision);
    const meta = eventMetadataOf(metadata);
    const events = decided.map((e) => ({
      id: newId(),
      type: e.type,
      data: e.data,
      metadata: meta,
    }));
    // Where appends are not atomic (EventStoreDB) the outcome follows the escrow's events; a
    // stream moved on by then holds another process's outcome of this same webhook.
    return { streamId, expectedRevision: revision, events, step: 'follows' };
  }

  private async alertMismatch(
    target: string,
    depositId: string,
    w: PspWebhookState,
    metadata: CommandMetadata,
  ): Promise<void> {
    const { state } = await this.platform.commands.read(target, escrowDecider);
    const deposit = state.deposits.find((d) => d.depositId === depositId);
    if (!deposit) return;
    await raiseAlert(
      this.platform,
      depositMismatchAlert(state, deposit, { pspRef: w.pspRef!, ...w.reported }),
      followUp(metadata),
    );
  }
}
