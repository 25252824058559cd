/** `GET /spend/purchases`: senders (their own), support, auditor and admin (all). */
import { Query } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { PurchaseRead } from '../shared/purchase.view';
import { SpendController } from '../shared/spend-routes';
import { ListPurchasesQuery } from './list-purchases.query';
import { PurchaseListQuery } from './list-purchases.request';
import { ReadRoute } from '../../mandates/shared/read-route';
import { QueryDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class ListPurchasesController extends QueryDispatcher {
  @ReadRoute(
    'purchases',
    ListPurchasesQuery,
    '{items, total, limit, offset}; a sender sees purchases where it is sender or beneficiary',
  )
  list(@CurrentActor() actor: Actor, @Query() q: PurchaseListQuery): Promise<Page<PurchaseRead>> {
    return this.queryBus.execute(new ListPurchasesQuery(actor, q));
  }
}
