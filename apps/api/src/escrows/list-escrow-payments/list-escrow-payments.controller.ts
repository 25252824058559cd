/** `GET /escrows/{id}/payments` (API-RULES.md §1): a party, support, auditor or admin. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import { routeId } from '../../http/route-id';
import type { PaymentRead } from '../../payments/payments.view';
import { escrowNotFound } from '../shared/escrow-errors';
import { ListEscrowPaymentsQuery } from './list-escrow-payments.query';
import { EscrowPaymentsQuery } from './list-escrow-payments.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ListEscrowPaymentsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/payments')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListEscrowPaymentsQuery)
  @ApiOkResponse({
    description:
      "{items, total, limit, offset}: the escrow's payments, oldest first; `kind` filters",
  })
  escrowPayments(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() q: EscrowPaymentsQuery,
  ): Promise<Page<PaymentRead>> {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.queryBus.execute(new ListEscrowPaymentsQuery(actor, escrowId, q));
  }
}
