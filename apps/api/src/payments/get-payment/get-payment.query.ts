import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { PaymentRead } from '../shared/payments.view';

/** One payment, as the `payments` read model has it (parties, support, auditor). */
export class GetPaymentQuery extends Query<PaymentRead> {
  constructor(
    readonly actor: Actor,
    readonly paymentId: string,
  ) {
    super();
  }
}
