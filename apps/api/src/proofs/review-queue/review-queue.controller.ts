/** `GET /admin/proofs/review-queue` (FRONTEND-CONTRACT §6.1, A8): the proofs awaiting review. */
import { Query } from '@nestjs/common';
import type { Page } from '../../http/pagination';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { GetReviewQueueQuery } from './review-queue.query';
import { ReviewQueueQuery } from './review-queue.request';
import type { ReviewQueueItem } from './review-queue.view';

@ApiController('proofs', 'admin/proofs')
export class ReviewQueueController extends QueryController {
  @QueryRoute({
    path: 'review-queue',
    dispatches: GetReviewQueueQuery,
    access: ['support', 'auditor'],
    answers:
      '{items, total, limit, offset}, oldest first: PENDING proofs unless `status` says otherwise; items are ProofRead with advisor, payout_eligible (null) and payout_blocked_reasons',
  })
  list(@Query() q: ReviewQueueQuery): Promise<Page<ReviewQueueItem>> {
    return this.queryBus.execute(new GetReviewQueueQuery(q));
  }
}
