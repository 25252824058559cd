/** The query filters of `GET /spend/purchases` (validated; unknown fields refused). */
import { PageQuery } from '../../http/pagination';
import { UuidFilter } from '../../http/list-filters';

export class PurchaseListQuery extends PageQuery {
  @UuidFilter()
  mandate_id?: string;

  @UuidFilter()
  sender_id?: string;

  @UuidFilter()
  beneficiary_id?: string;
}
