/** `GET /escrows/milestones/{milestoneId}` (API-RULES.md §1): a party of its escrow, or staff. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { milestoneNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetMilestoneQuery } from './get-milestone.query';

@ApiController('escrows', 'escrows')
export class GetMilestoneController extends QueryController {
  @QueryRoute({
    path: 'milestones/:milestoneId',
    dispatches: GetMilestoneQuery,
    answers: 'One milestone',
  })
  milestone(@CurrentActor() actor: Actor, @Param('milestoneId') rawId: string) {
    const milestoneId = routeId(rawId, milestoneNotFound);
    return this.queryBus.execute(new GetMilestoneQuery(actor, milestoneId));
  }
}
