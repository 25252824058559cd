/** The filters of `GET /admin/proofs/review-queue` (FRONTEND-CONTRACT §6.1; unknown fields refused). */
import { EnumFilter, IgnoredFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';
import { PROOF_STATUSES } from '../list-proofs/list-proofs.request';

export class ReviewQueueQuery extends PageQuery {
  /** Absent: PENDING, the queue itself (A8). */
  @EnumFilter(PROOF_STATUSES)
  status?: (typeof PROOF_STATUSES)[number];

  /** The escrow's client. */
  @UuidFilter()
  sender_id?: string;

  /** The escrow's provider. */
  @UuidFilter()
  provider_id?: string;

  @IgnoredFilter('no advisors: an advisor id')
  advisor_id?: unknown;

  @IgnoredFilter('no advisors: only proofs without an advisor')
  unassigned_only?: unknown;

  @IgnoredFilter('no advisors: a review mode')
  review_mode?: unknown;
}
