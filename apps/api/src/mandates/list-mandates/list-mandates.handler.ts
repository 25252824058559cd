import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { senderUser } from '../shared/mandate-access';
import { type UsageMandateRead, mandateRowView } from '../shared/mandate.view';
import { listPage } from '../../platform/list-page';
import { ListMandatesQuery } from './list-mandates.query';

@QueryHandler(ListMandatesQuery)
export class ListMandatesHandler implements IQueryHandler<ListMandatesQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ actor, filter: q }: ListMandatesQuery): Promise<Page<UsageMandateRead>> {
    let query = this.db.selectFrom('mandates');
    const userId = senderUser(actor);
    if (userId !== null) {
      query = query.where((eb) =>
        eb.or([eb('sender_id', '=', userId), eb('beneficiary_id', '=', userId)]),
      );
    }
    if (q.sender_id) query = query.where('sender_id', '=', q.sender_id.toLowerCase());
    if (q.beneficiary_id)
      query = query.where('beneficiary_id', '=', q.beneficiary_id.toLowerCase());
    if (q.status) query = query.where('status', '=', q.status);
    const ordered = query.selectAll().orderBy('created_at').orderBy('id');
    return listPage(query, ordered, q, mandateRowView);
  }
}
