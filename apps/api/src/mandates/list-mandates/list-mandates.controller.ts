/** `GET /mandates`: senders (their own), support, auditor and admin (all). */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { UsageMandateRead } from '../shared/mandate.view';
import { MandatesController } from '../shared/mandates-controller';
import { ListMandatesQuery } from './list-mandates.query';
import { MandateListQuery } from './list-mandates.request';
import { ReadRoute } from '../shared/read-route';
import { QueryDispatcher } from '../shared/dispatchers';

@MandatesController()
export class ListMandatesController extends QueryDispatcher {
  @ReadRoute(
    undefined,
    ListMandatesQuery,
    '{items, total, limit, offset}; a sender sees mandates where it is sender or beneficiary',
  )
  list(
    @CurrentActor() actor: Actor,
    @Query() q: MandateListQuery,
  ): Promise<Page<UsageMandateRead>> {
    return this.queryBus.execute(new ListMandatesQuery(actor, q));
  }
}
