/**
 * Sends a payment the PSP left PENDING (the same key: the PSP cannot pay twice); a SENT or
 * SETTLED one is answered unchanged, a FAILED one (`ERROR` in answers, D4) is refused: it is
 * retried, not sent again. A PSP failure or silence never becomes a 5xx: the answer is the
 * payment, ERROR or PENDING.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiError } from '../../http/api-error';
import { CommittedRead } from '../../http/committed';
import { PAYMENTS } from '../../tokens';
import type { PaymentServices } from '../shared';
import { PaymentLookup } from '../shared/payment-lookup';
import { type PaymentRead, paymentStatusName } from '../shared/payments.view';
import { ExecutePaymentCommand } from './execute-payment.command';

const failedIsRetried = () =>
  new ApiError(
    409,
    'INVALID_STATE_TRANSITION',
    'a failed (ERROR) payment is not sent again: retry it (POST /payments/{id}/retry)',
    { action: 'execute', from: paymentStatusName('FAILED'), to: 'SENT' },
  );

@CommandHandler(ExecutePaymentCommand)
export class ExecutePaymentHandler implements ICommandHandler<ExecutePaymentCommand> {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly lookup: PaymentLookup,
  ) {}

  async execute({ origin, paymentId }: ExecutePaymentCommand): Promise<CommittedRead<PaymentRead>> {
    const { row } = await this.lookup.find(origin.actor, paymentId);
    const metadata = origin.metadata('optional');
    const before = await this.lookup.onStream(row.escrow_id, row.id);
    if (before.payment.status === 'FAILED') throw failedIsRetried();
    const sent = await this.payments.sender.send(row.escrow_id, row.id, metadata);
    // The answer is the payment as its stream has it after the wait.
    return new CommittedRead(() => this.lookup.view(row.escrow_id, row.id), sent.position);
  }
}
