/** `GET /spend/purchases`: senders (their own), support, auditor and admin (all). */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { PurchaseRead } from '../shared/purchase.view';
import { ListPurchasesQuery } from './list-purchases.query';
import { PurchaseListQuery } from './list-purchases.request';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class ListPurchasesController extends QueryController {
  @QueryRoute({
    path: 'purchases',
    dispatches: ListPurchasesQuery,
    answers:
      '{items, total, limit, offset}; a sender sees purchases where it is sender or beneficiary',
  })
  list(@CurrentActor() actor: Actor, @Query() q: PurchaseListQuery): Promise<Page<PurchaseRead>> {
    return this.queryBus.execute(new ListPurchasesQuery(actor, q));
  }
}
