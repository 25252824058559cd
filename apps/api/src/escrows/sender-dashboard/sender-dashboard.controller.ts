/**
 * `GET /sender/dashboard` (FRONTEND-CONTRACT.md §4.2; docs/contract/FRONTEND-ACCESS.md): a sender
 * with a user (admin too, with a user); a key without one gets 403 KEY_HAS_NO_USER.
 */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetSenderDashboardQuery } from './sender-dashboard.query';
import { SenderDashboardParams } from './sender-dashboard.request';

@ApiController('escrows', 'sender')
export class SenderDashboardController extends QueryController {
  @QueryRoute({
    path: 'dashboard',
    dispatches: GetSenderDashboardQuery,
    access: ['sender'],
    answers:
      '{recent_escrows, pending_proofs, recent_payments}: of the escrows whose client is the caller, newest first, at most `limit` each',
  })
  dashboard(@CurrentActor() actor: Actor, @Query() q: SenderDashboardParams) {
    return this.queryBus.execute(new GetSenderDashboardQuery(actor, q.limit));
  }
}
