/** `GET /escrows/{id}/summary` (API-RULES.md §1): a party, support, auditor or admin. */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetEscrowSummaryQuery } from './get-escrow-summary.query';

@ApiController('escrows', 'escrows')
export class GetEscrowSummaryController extends QueryController {
  @QueryRoute({
    path: ':id/summary',
    dispatches: GetEscrowSummaryQuery,
    answers:
      'The escrow, milestones, proofs, deposits, payments, balances, the actions the caller may take and its standing (viewer_context)',
  })
  summary(@CurrentActor() actor: Actor, @Param('id') rawId: string) {
    return this.queryBus.execute(new GetEscrowSummaryQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
