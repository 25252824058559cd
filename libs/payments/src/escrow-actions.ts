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
import type { CommandMetadata, Platform } from '../../platform/src';
import { type PaymentSender, initiatedPaymentIds, latestPosition } from './payment-sender';

export interface EscrowActionResult {
  state: EscrowState;
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

  async run(escrowId: string, command: EscrowCommand, metadata: CommandMetadata): Promise<EscrowActionResult> {
    const streamId = `escrow-${escrowId}`;
    const result = await this.platform.commands.execute({ streamId, decider: escrowDecider, command, metadata });
    const paymentIds = initiatedPaymentIds(result.events);
    if (paymentIds.length === 0) {
      return { state: result.state, paymentIds, position: result.position, replayed: result.replayed };
    }
    const sent = await this.sender.sendAll(escrowId, paymentIds, metadata);
    const { state } = await this.platform.commands.read(streamId, escrowDecider);
    return { state, paymentIds, position: latestPosition([result.position, sent]), replayed: result.replayed };
  }
}
