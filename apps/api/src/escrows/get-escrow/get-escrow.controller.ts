/** `GET /escrows/{id}` (API-RULES.md §1): a party, support, auditor or admin. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetEscrowQuery } from './get-escrow.query';

@ApiController('escrows', 'escrows')
export class GetEscrowController extends QueryController {
  @QueryRoute({ path: ':id', dispatches: GetEscrowQuery, answers: 'The escrow' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string) {
    return this.queryBus.execute(new GetEscrowQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
