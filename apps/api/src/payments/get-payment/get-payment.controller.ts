/** `GET /payments/{id}` (API-RULES.md §1): a payment, for its escrow's parties, support, auditors. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { PaymentRead } from '../payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { GetPaymentQuery } from './get-payment.query';

@ApiTags('payments')
@ApiSecurity('X-API-Key')
@Controller('payments')
export class GetPaymentController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetPaymentQuery)
  @ApiOkResponse({ description: 'The payment' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<PaymentRead> {
    return this.queryBus.execute(new GetPaymentQuery(actor, routeId(rawId, paymentNotFound)));
  }
}
