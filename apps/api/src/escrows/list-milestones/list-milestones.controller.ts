/** `GET /escrows/{id}/milestones` (API-RULES.md §1): a party, support, auditor or admin. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { ListMilestonesQuery } from './list-milestones.query';

@ApiController('escrows', 'escrows')
export class ListMilestonesController extends QueryController {
  @QueryRoute({
    path: ':id/milestones',
    dispatches: ListMilestonesQuery,
    answers: 'Milestones in sequence order',
  })
  milestones(@CurrentActor() actor: Actor, @Param('id') rawId: string) {
    return this.queryBus.execute(new ListMilestonesQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
