/** Lists proofs from the read model: a sender sees the proofs of its escrows only. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { userOf } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { type ReadModelsDb, READ_MODELS } from '../../platform/platform.providers';
import { type ProofRead, proofRowView } from '../shared/proofs.view';
import { ListProofsQuery } from './list-proofs.query';

@QueryHandler(ListProofsQuery)
export class ListProofsHandler implements IQueryHandler<ListProofsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ actor, filter: q }: ListProofsQuery): Promise<Page<ProofRead>> {
    let query = this.db.selectFrom('proofs');
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]),
      );
    }
    if (q.status) query = query.where('status', '=', q.status);
    if (q.escrow_id) query = query.where('escrow_id', '=', q.escrow_id.toLowerCase());
    const ordered = query.selectAll().orderBy('created_at').orderBy('id');
    return listPage(query, ordered, q, proofRowView);
  }
}
