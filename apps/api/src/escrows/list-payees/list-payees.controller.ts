/** `GET /escrows/{id}/payees` (API-RULES.md §1): a party, support, auditor or admin. */
import { Param, Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { PageQuery } from '../../http/pagination';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { ListPayeesQuery } from './list-payees.query';

@ApiController('spend')
export class ListPayeesController extends QueryController {
  @QueryRoute({
    path: 'escrows/:id/payees',
    dispatches: ListPayeesQuery,
    answers: "The escrow's allowed payees, with what was spent to each",
  })
  list(@CurrentActor() actor: Actor, @Param('id') rawId: string, @Query() page: PageQuery) {
    return this.queryBus.execute(new ListPayeesQuery(actor, routeId(rawId, escrowNotFound), page));
  }
}
