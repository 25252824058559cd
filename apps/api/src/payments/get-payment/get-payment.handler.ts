import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { PaymentLookup } from '../shared/payment-lookup';
import { type PaymentRead, paymentRowView } from '../shared/payments.view';
import { GetPaymentQuery } from './get-payment.query';

@QueryHandler(GetPaymentQuery)
export class GetPaymentHandler implements IQueryHandler<GetPaymentQuery> {
  constructor(private readonly lookup: PaymentLookup) {}

  async execute({ actor, paymentId }: GetPaymentQuery): Promise<PaymentRead> {
    const { row, scale } = await this.lookup.find(actor, paymentId);
    return paymentRowView(row, scale);
  }
}
