/**
 * Runs an escrow command that may start payments (a milestone release, client approve or
 * reject, a deadline, a retry) and then sends what it started: the command appends
 * `payment.initiated.v1` first, the PSP calls follow outside the command's retry loop (see
 * PaymentSender). A replayed command (same Idempotency-Key) sends the payments its first run
 * started if they are still PENDING (a crash between the two steps), so a retry finishes the
 * work instead of repeating it. The answer is the escrow as it is after the sends.
 */
import { escrowDecider, type EscrowCommand, type EscrowState } from '@kob/domain';
import type { Position } from '@kob/event-store';
import type { AppendedEvent, CommandMetadata, Platform, ReservationClaim } from '@kob/platform';
import { type PaymentSender, initiatedPaymentIds, latestPosition } from './payment-sender';

export interface EscrowActionResult {
  state: EscrowState;
  /** The events the command appended (on a replay: the first run's). */
  events: AppendedEvent[];
  /** The payments this command started (on a replay: the ones its first run started). */
  paymentIds: string[];
  position: Position | null;
  replayed: boolean;
}

export class EscrowActions {
  constructor(
    private readonly platform: Platform,
    private readonly sender: PaymentSender,
  ) {}

  /** `claims`: reservations taken in the same atomic append (a proof's file hash). */
  async run(
    escrowId: string,
    command: EscrowCommand,
    metadata: CommandMetadata,
    claims: ReservationClaim[] = [],
  ): Promise<EscrowActionResult> {
    const streamId = `escrow-${escrowId}`;
    const result = await this.platform.commands.execute({
      streamId,
      decider: escrowDecider,
      command,
      metadata,
      claims,
    });
    return this.sendStarted(escrowId, result, metadata);
  }

  /**
   * A command on an escrow chosen from the body (a usage spend): its payment id is derived from
   * the request's (scope, Idempotency-Key) and its `idem-{id}` reservation is claimed with the
   * effect (API-RULES.md §4), so a retry finds the first payment and sends it if still PENDING.
   */
  async runDerived(
    escrowId: string,
    command: (paymentId: string) => EscrowCommand,
    metadata: CommandMetadata,
  ): Promise<EscrowActionResult & { id: string }> {
    const result = await this.platform.commands.executeWithDerivedId({
      decider: escrowDecider,
      metadata,
      targetStream: () => `escrow-${escrowId}`,
      command,
      queueOn: 'target',
    });
    return { ...(await this.sendStarted(escrowId, result, metadata)), id: result.id };
  }

  private async sendStarted(
    escrowId: string,
    result: {
      state: EscrowState;
      events: AppendedEvent[];
      position: Position | null;
      replayed: boolean;
    },
    metadata: CommandMetadata,
  ): Promise<EscrowActionResult> {
    const events = result.events;
    const paymentIds = initiatedPaymentIds(events);
    if (paymentIds.length === 0) {
      return {
        state: result.state,
        events,
        paymentIds,
        position: result.position,
        replayed: result.replayed,
      };
    }
    const sent = await this.sender.sendAll(escrowId, paymentIds, metadata);
    const { state } = await this.platform.commands.read(`escrow-${escrowId}`, escrowDecider);
    return {
      state,
      events,
      paymentIds,
      position: latestPosition([result.position, sent]),
      replayed: result.replayed,
    };
  }
}
