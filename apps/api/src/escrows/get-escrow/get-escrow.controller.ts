/**
 * `GET /escrows/{id}` (API-RULES.md §1): a party, support, auditor or admin; `?as_of=` (auditor
 * and admin) answers the escrow as its event stream stood at that point.
 */
import { Param, Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetEscrowQuery } from './get-escrow.query';
import { EscrowAsOfParams } from './get-escrow.request';

@ApiController('escrows', 'escrows')
export class GetEscrowController extends QueryController {
  @QueryRoute({
    path: ':id',
    dispatches: GetEscrowQuery,
    answers: 'The escrow; with `as_of`, as it stood then, plus `as_of`, `revision`, `position`',
  })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string, @Query() q: EscrowAsOfParams) {
    const escrowId = routeId(rawId, escrowNotFound);
    return this.queryBus.execute(new GetEscrowQuery(actor, escrowId, q.as_of));
  }
}
