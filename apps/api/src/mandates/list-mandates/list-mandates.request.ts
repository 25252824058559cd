/** The query filters of `GET /mandates` (validated; unknown fields refused). */
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';

export const MANDATE_STATUSES = ['ACTIVE', 'CONSUMED', 'EXPIRED'] as const;

export class MandateListQuery extends PageQuery {
  @UuidFilter()
  sender_id?: string;

  @UuidFilter()
  beneficiary_id?: string;

  @EnumFilter(MANDATE_STATUSES)
  status?: (typeof MANDATE_STATUSES)[number];
}
