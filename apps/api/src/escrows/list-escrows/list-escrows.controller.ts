/** `GET /escrows` (API-RULES.md §1): filtered by status, client, provider; paged. */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { ListEscrowsQuery } from './list-escrows.query';
import { EscrowListQuery } from './list-escrows.request';

@ApiController('escrows', 'escrows')
export class ListEscrowsController extends QueryController {
  @QueryRoute({
    dispatches: ListEscrowsQuery,
    answers:
      "{items, total, limit, offset}; a sender sees only its escrows; with mine=true, the caller's escrows as client, newest first, as a bare array",
  })
  list(@CurrentActor() actor: Actor, @Query() q: EscrowListQuery) {
    return this.queryBus.execute(new ListEscrowsQuery(actor, q));
  }
}
