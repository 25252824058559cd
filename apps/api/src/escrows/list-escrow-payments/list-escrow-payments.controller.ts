/** `GET /escrows/{id}/payments` (API-RULES.md §1): a party, support, auditor or admin. */
import { Param, Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { ListEscrowPaymentsQuery } from './list-escrow-payments.query';
import { EscrowPaymentsQuery } from './list-escrow-payments.request';

@ApiController('escrows', 'escrows')
export class ListEscrowPaymentsController extends QueryController {
  @QueryRoute({
    path: ':id/payments',
    dispatches: ListEscrowPaymentsQuery,
    answers: "{items, total, limit, offset}: the escrow's payments, oldest first; `kind` filters",
  })
  payments(@CurrentActor() a: Actor, @Param('id') id: string, @Query() q: EscrowPaymentsQuery) {
    const escrowId = routeId(id, escrowNotFound);
    return this.queryBus.execute(new ListEscrowPaymentsQuery(a, escrowId, q));
  }
}
