/**
 * Runs an escrow command that may start payments (a milestone release, client approve or
 * reject, a deadline, a retry) and then sends what it started: the command appends
 * `payment.initiated.v1` first, the PSP calls follow outside the command's retry loop (see
 * PaymentSender). A replayed command (same Idempotency-Key) sends the payments its first run
 * started if they are still PENDING (a crash between the two steps), so a retry finishes the
 * work instead of repeating it. The answer is the escrow as it is after the sends.
 */
import { escrowDecider, type EscrowCommand, type EscrowState } from '../../domain/src';
import type { Position } from '../../event-store/src';
import type { AppendedEvent, CommandMetadata, Platform, ReservationClaim } from '../../platform/src';
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
    const result = await this.platform.commands.execute({ streamId, decider: escrowDecider, command, metadata, claims });
    const events = result.events as AppendedEvent[];
    const paymentIds = initiatedPaymentIds(result.events);
    if (paymentIds.length === 0) {
      return { state: result.state, events, paymentIds, position: result.position, replayed: result.replayed };
    }
    const sent = await this.sender.sendAll(escrowId, paymentIds, metadata);
    const { state } = await this.platform.commands.read(streamId, escrowDecider);
    return { state, events, paymentIds, position: latestPosition([result.position, sent]), replayed: result.replayed };
  }
}
