/** `GET /payments/{id}` (API-RULES.md §1): a payment, for its escrow's parties, support, auditors. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { PaymentRead } from '../shared/payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { GetPaymentQuery } from './get-payment.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('payments', 'payments')
export class GetPaymentController extends QueryController {
  @QueryRoute({ path: ':id', dispatches: GetPaymentQuery, answers: 'The payment' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<PaymentRead> {
    return this.queryBus.execute(new GetPaymentQuery(actor, routeId(rawId, paymentNotFound)));
  }
}
