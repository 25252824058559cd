/** What the `payment-recovery` job dispatches, one command per to-do item. */
import { Command } from '@nestjs/cqrs';

/** Sends a payment left PENDING again, under the same key; answers its status. */
export class SendPendingPaymentCommand extends Command<string> {
  constructor(
    readonly escrowId: string,
    readonly paymentId: string,
    readonly now: Date,
  ) {
    super();
  }
}

/** Asks the PSP again about a deposit left PENDING without a reference; answers its status. */
export class RecoverDepositCommand extends Command<string> {
  constructor(
    readonly escrowId: string,
    readonly depositId: string,
    readonly now: Date,
  ) {
    super();
  }
}

/** Finishes a webhook received but not processed, or parked; answers its outcome. */
export class FinishPspWebhookCommand extends Command<string> {
  constructor(
    readonly streamId: string,
    readonly status: string,
    readonly pspRef: string | null,
    readonly now: Date,
  ) {
    super();
  }
}
