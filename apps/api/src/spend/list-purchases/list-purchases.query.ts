import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import type { PurchaseRead } from '../shared/purchase.view';
import type { PurchaseListQuery } from './list-purchases.request';

/** Purchases, oldest first; a sender sees those where it is sender or beneficiary. */
export class ListPurchasesQuery extends Query<Page<PurchaseRead>> {
  constructor(
    readonly actor: Actor,
    readonly filter: PurchaseListQuery,
  ) {
    super();
  }
}
