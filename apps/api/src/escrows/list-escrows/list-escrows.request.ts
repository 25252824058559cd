/** The filters of `GET /escrows` (validated; unknown ones refused). */
import { Type } from 'class-transformer';
import { EnumFilter, UuidFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';

export const ESCROW_STATUSES = [
  'DRAFT',
  'FUNDED',
  'RELEASABLE',
  'RELEASED',
  'REFUNDED',
  'CANCELLED',
] as const;

export class EscrowListQuery extends PageQuery {
  @EnumFilter(ESCROW_STATUSES)
  status?: (typeof ESCROW_STATUSES)[number];

  @UuidFilter()
  client_id?: string;

  @UuidFilter()
  @Type(() => String)
  provider_id?: string;
}
