import { Query } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import type { ReviewQueueItem } from './review-queue.view';
import type { ReviewQueueQuery } from './review-queue.request';

/** The proofs in (or through) review, for support, auditors and admin. */
export class GetReviewQueueQuery extends Query<Page<ReviewQueueItem>> {
  constructor(readonly filter: ReviewQueueQuery) {
    super();
  }
}
