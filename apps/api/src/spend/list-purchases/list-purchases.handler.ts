/** Purchases from the read model, joined to their mandate for the currency's scale. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { senderUser } from '../../mandates/shared/mandate-access';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type PurchaseRead, purchaseRowView } from '../shared/purchase.view';
import { ListPurchasesQuery } from './list-purchases.query';

@QueryHandler(ListPurchasesQuery)
export class ListPurchasesHandler implements IQueryHandler<ListPurchasesQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ actor, filter: q }: ListPurchasesQuery): Promise<Page<PurchaseRead>> {
    let query = this.db
      .selectFrom('purchases as p')
      .innerJoin('mandates as m', 'm.id', 'p.mandate_id');
    const userId = senderUser(actor);
    if (userId !== null) {
      query = query.where((eb) =>
        eb.or([eb('p.sender_id', '=', userId), eb('p.beneficiary_id', '=', userId)]),
      );
    }
    if (q.mandate_id) query = query.where('p.mandate_id', '=', q.mandate_id.toLowerCase());
    if (q.sender_id) query = query.where('p.sender_id', '=', q.sender_id.toLowerCase());
    if (q.beneficiary_id)
      query = query.where('p.beneficiary_id', '=', q.beneficiary_id.toLowerCase());
    const ordered = query.selectAll('p').select('m.scale').orderBy('p.created_at').orderBy('p.id');
    return listPage(query, ordered, q, purchaseRowView);
  }
}
