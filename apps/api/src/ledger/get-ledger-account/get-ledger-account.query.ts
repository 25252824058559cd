import { Query } from '@nestjs/cqrs';
import type { PageRequest } from '../../http/pagination';
import type { LedgerAccountView } from '../shared/ledger.view';

/** One account, its balance and a page of its entries (`GET /ledger/accounts/{account}`). */
export class GetLedgerAccountQuery extends Query<LedgerAccountView> {
  constructor(
    readonly account: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
