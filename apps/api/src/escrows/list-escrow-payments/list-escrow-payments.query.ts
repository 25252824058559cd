import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { PaymentRead } from '../../payments/shared/payments.view';
import type { EscrowPaymentsQuery } from './list-escrow-payments.request';

/** A page of the escrow's payments, oldest first, for one of its parties or staff. */
export class ListEscrowPaymentsQuery extends Query<Page<PaymentRead>> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
    readonly filters: EscrowPaymentsQuery,
  ) {
    super();
  }
}
