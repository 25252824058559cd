import { Query } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import type { PaymentRead } from '../shared/payments.view';
import type { PaymentListQuery } from './list-payments.request';

/** A page of every payment (support, auditor, admin), newest first, filtered. */
export class ListPaymentsQuery extends Query<Page<PaymentRead>> {
  constructor(readonly filters: PaymentListQuery) {
    super();
  }
}
