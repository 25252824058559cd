/**
 * The review queue from the proofs read model (the one place proofs are listed from): PENDING
 * unless another status is asked, optionally one client's or one provider's escrows, oldest
 * first so the longest-waiting proof is reviewed first.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { type ReadModelsDb, READ_MODELS } from '../../platform/platform.providers';
import { GetReviewQueueQuery } from './review-queue.query';
import { type ReviewQueueItem, reviewQueueItemView } from './review-queue.view';

@QueryHandler(GetReviewQueueQuery)
export class GetReviewQueueHandler implements IQueryHandler<GetReviewQueueQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ filter: q }: GetReviewQueueQuery): Promise<Page<ReviewQueueItem>> {
    let query = this.db.selectFrom('proofs').where('status', '=', q.status ?? 'PENDING');
    if (q.sender_id) query = query.where('client_id', '=', q.sender_id.toLowerCase());
    if (q.provider_id) query = query.where('provider_id', '=', q.provider_id.toLowerCase());
    const ordered = query.selectAll().orderBy('created_at').orderBy('id');
    return listPage(query, ordered, q, reviewQueueItemView);
  }
}
