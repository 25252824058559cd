import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { userOf } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type EscrowRead, escrowRowView } from '../shared/escrows.view';
import { listPage } from '../../platform/list-page';
import { ListEscrowsQuery } from './list-escrows.query';

@QueryHandler(ListEscrowsQuery)
export class ListEscrowsHandler implements IQueryHandler<ListEscrowsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ actor, filters: q }: ListEscrowsQuery): Promise<Page<EscrowRead>> {
    let query = this.db.selectFrom('escrows');
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]),
      );
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.client_id) query = query.where('client_id', '=', q.client_id.toLowerCase());
    if (q.provider_id) query = query.where('provider_id', '=', q.provider_id.toLowerCase());
    const ordered = query.selectAll().orderBy('created_at').orderBy('id');
    return listPage(query, ordered, q, escrowRowView);
  }
}
