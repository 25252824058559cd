/** The filters of `GET /escrows/{id}/payments` (validated; unknown ones refused). */
import { EnumFilter } from '../../http/list-filters';
import { PageQuery } from '../../http/pagination';

export const PAYMENT_KINDS = ['payout', 'refund', 'spend'] as const;

export class EscrowPaymentsQuery extends PageQuery {
  @EnumFilter(PAYMENT_KINDS)
  kind?: (typeof PAYMENT_KINDS)[number];
}
