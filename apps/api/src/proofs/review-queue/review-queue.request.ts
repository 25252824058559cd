/** The filters of `GET /admin/proofs/review-queue` (FRONTEND-CONTRACT §6.1; unknown fields refused). */
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';
import { PROOF_STATUSES } from '../list-proofs/list-proofs.request';

/** Sent by the frontend for advisors, which we do not have: accepted, whatever they hold, and ignored. */
const Ignored = (description: string) =>
  function (target: object, key: string | symbol) {
    Allow()(target, key);
    ApiPropertyOptional({ description: `${description}; accepted and ignored (no advisors)` })(
      target,
      key,
    );
  };

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

  @Ignored('an advisor id')
  advisor_id?: unknown;

  @Ignored('only proofs without an advisor')
  unassigned_only?: unknown;

  @Ignored('a review mode')
  review_mode?: unknown;
}
