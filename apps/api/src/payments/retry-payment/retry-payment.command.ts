import { Command } from '@nestjs/cqrs';
import type { Committed, CommittedRead } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../shared/payments.view';

/** Pays a FAILED payment again with a new one (`retry_of`), support only. */
export class RetryPaymentCommand extends Command<
  Committed<PaymentRead> | CommittedRead<PaymentRead>
> {
  constructor(
    readonly origin: CommandOrigin,
    readonly paymentId: string,
  ) {
    super();
  }
}
