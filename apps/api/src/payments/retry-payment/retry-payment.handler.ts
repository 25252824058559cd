/**
 * A retry of a FAILED payment: one retry per failed payment (a fixed id makes concurrent retries
 * one), sent at once; a repeat sends the retry again if the PSP left it PENDING. A SENT or SETTLED
 * payment needs no retry: it is answered unchanged, 200 instead of 201.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { uuidV5 } from '@kob/kernel';
import { Committed, CommittedRead } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import { PAYMENTS } from '../../tokens';
import { type PaymentServices, latestPosition } from '../shared';
import { PaymentLookup } from '../shared/payment-lookup';
import { type PaymentRead, paymentStateView } from '../shared/payments.view';
import { RetryPaymentCommand } from './retry-payment.command';

@CommandHandler(RetryPaymentCommand)
export class RetryPaymentHandler implements ICommandHandler<RetryPaymentCommand> {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly lookup: PaymentLookup,
  ) {}

  async execute({
    origin,
    paymentId,
  }: RetryPaymentCommand): Promise<Committed<PaymentRead> | CommittedRead<PaymentRead>> {
    const { row } = await this.lookup.find(origin.actor, paymentId);
    const current = await this.lookup.onStream(row.escrow_id, row.id);
    if (current.payment.status === 'SENT' || current.payment.status === 'SETTLED')
      return new Committed(paymentStateView(current.state, current.payment), null, {}, 200);
    const retryPaymentId = uuidV5(`retry\n${row.id}`);
    const position = await this.retry(origin, row.escrow_id, row.id, retryPaymentId);
    return new CommittedRead(() => this.lookup.view(row.escrow_id, retryPaymentId), position);
  }

  private async retry(
    origin: CommandOrigin,
    escrowId: string,
    paymentId: string,
    retryPaymentId: string,
  ) {
    const metadata = origin.metadata('optional');
    const command = {
      type: 'RetryPayment' as const,
      escrowId,
      paymentId,
      retryPaymentId,
      now: metadata.now.toISOString(),
    };
    const result = await this.payments.actions.run(escrowId, command, metadata);
    if (result.paymentIds.length > 0) return result.position;
    // A repeat: the retry exists; if the PSP left it PENDING, this is a chance to send it again.
    const sent = await this.payments.sender.send(escrowId, retryPaymentId, metadata);
    return latestPosition([result.position, sent.position]);
  }
}
