/** `GET /mandates`: senders (their own), support, auditor and admin (all). */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { UsageMandateRead } from '../shared/mandate.view';
import { ListMandatesQuery } from './list-mandates.query';
import { MandateListQuery } from './list-mandates.request';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('mandates', 'mandates')
export class ListMandatesController extends QueryController {
  @QueryRoute({
    dispatches: ListMandatesQuery,
    answers:
      '{items, total, limit, offset}; a sender sees mandates where it is sender or beneficiary',
  })
  list(
    @CurrentActor() actor: Actor,
    @Query() q: MandateListQuery,
  ): Promise<Page<UsageMandateRead>> {
    return this.queryBus.execute(new ListMandatesQuery(actor, q));
  }
}
