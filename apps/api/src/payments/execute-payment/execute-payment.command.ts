import { Command } from '@nestjs/cqrs';
import type { CommittedRead } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../shared/payments.view';

/** Sends a PENDING payment again, under its own id as the PSP's key (support). */
export class ExecutePaymentCommand extends Command<CommittedRead<PaymentRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly paymentId: string,
  ) {
    super();
  }
}
