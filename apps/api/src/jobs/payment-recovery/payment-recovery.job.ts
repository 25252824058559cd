/**
 * The `payment-recovery` job (API-RULES.md §6 intervals, actor `system:scheduler`): sends
 * payments left PENDING (a crash between the initiation and the PSP call, or a PSP that did not
 * answer), under the same idempotency key, so the PSP cannot pay twice; finishes webhooks whose
 * processing a crash interrupted, or that were parked for a reference recorded since; and asks
 * the PSP again about deposits it left PENDING without a reference (same key: it cannot collect
 * twice), recording its confirmation, decline or reference. The read models are only the to-do
 * list: each item is decided again on its stream. Each run handles a bounded batch.
 */
import { Injectable } from '@nestjs/common';
import { type JobContext, describeCounts, eachItem } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { CommandJob } from '../command-job';
import { escrowJobLimits } from '../job-limits';
import {
  FinishPspWebhookCommand,
  RecoverDepositCommand,
  SendPendingPaymentCommand,
} from './payment-recovery.commands';

@Injectable()
@Dispatches(SendPendingPaymentCommand, RecoverDepositCommand, FinishPspWebhookCommand)
export class PaymentRecoveryJob extends CommandJob {
  get intervalMs(): number {
    return this.platform.config.schedulerPaymentRecoveryIntervalMs;
  }

  readonly name = 'payment-recovery';

  async run({ now }: JobContext): Promise<string> {
    const before = new Date(now.getTime() - escrowJobLimits.recoveryMinAgeMs);
    const { pending, unanswered, open } = await this.todo(before);
    const deposits = await eachItem(
      unanswered,
      (d) => d.id,
      (d) => this.commands.execute(new RecoverDepositCommand(d.escrow_id, d.id, now)),
    );
    const payments = await eachItem(
      pending,
      (p) => p.id,
      (p) => this.commands.execute(new SendPendingPaymentCommand(p.escrow_id, p.id, now)),
    );
    const webhooks = await eachItem(
      await open(),
      (w) => w.stream_id,
      (w) =>
        this.commands.execute(new FinishPspWebhookCommand(w.stream_id, w.status, w.psp_ref, now)),
    );
    return [
      describeCounts('payments', payments),
      describeCounts('webhooks', webhooks),
      describeCounts('deposits', deposits),
    ].join('; ');
  }

  /**
   * The to-do lists, older than `before`: PENDING payments, PENDING deposits without a
   * reference, and (read after those are done, as ever) open webhooks.
   */
  private async todo(before: Date) {
    const limit = escrowJobLimits.recoveryBatchMax;
    const pending = await this.platform.db
      .selectFrom('payments')
      .select(['id', 'escrow_id'])
      .where('status', '=', 'PENDING')
      .where('initiated_at', '<', before)
      .orderBy('initiated_at')
      .limit(limit)
      .execute();
    const unanswered = await this.platform.db
      .selectFrom('deposits')
      .select(['id', 'escrow_id'])
      .where('status', '=', 'PENDING')
      .where('psp_ref', 'is', null)
      .where('initiated_at', '<', before)
      .orderBy('initiated_at')
      .limit(limit)
      .execute();
    const open = () =>
      this.platform.db
        .selectFrom('psp_webhooks')
        .select(['stream_id', 'status', 'psp_ref'])
        .where('status', 'in', ['received', 'parked'])
        .where('received_at', '<', before)
        .orderBy('received_at')
        .limit(limit)
        .execute();
    return { pending, unanswered, open };
  }
}
