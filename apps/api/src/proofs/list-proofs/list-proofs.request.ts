/** The filters of `GET /proofs` (validated; unknown fields refused). */
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';

export const PROOF_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'SUPERSEDED'] as const;

export class ProofListQuery extends PageQuery {
  @EnumFilter(PROOF_STATUSES)
  status?: (typeof PROOF_STATUSES)[number];

  @UuidFilter()
  escrow_id?: string;
}
