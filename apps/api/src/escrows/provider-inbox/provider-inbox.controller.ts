/**
 * `GET /provider/inbox/escrows` (FRONTEND-CONTRACT.md §5.1; docs/contract/FRONTEND-ACCESS.md): a
 * sender with a user (admin too, with a user); a key without one gets 403 KEY_HAS_NO_USER.
 */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import { PageQuery } from '../../http/pagination';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { ListProviderInboxQuery } from './provider-inbox.query';

@ApiController('escrows', 'provider')
export class ProviderInboxController extends QueryController {
  @QueryRoute({
    path: 'inbox/escrows',
    dispatches: ListProviderInboxQuery,
    access: ['sender'],
    answers:
      '{items, total, limit, offset} of the escrows whose provider is the caller, latest update first',
  })
  inbox(@CurrentActor() actor: Actor, @Query() q: PageQuery) {
    return this.queryBus.execute(new ListProviderInboxQuery(actor, q));
  }
}
