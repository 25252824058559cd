/** `GET /transactions` (KOBATELA-SPEC.md §2.10): transactions, for support and auditors. */
import { Query } from '@nestjs/common';
import type { Page } from '../../http/pagination';
import { QueryController, ReadRoute, TransfersController } from '../shared/routes';
import type { TransactionRead } from '../shared/transfers.view';
import { ListTransactionsQuery } from './list-transactions.query';
import { TransactionListQuery } from './list-transactions.request';

@TransfersController()
export class ListTransactionsController extends QueryController {
  @ReadRoute(
    'transactions',
    ListTransactionsQuery,
    '{items, total, limit, offset}, oldest first; filters sender_id, receiver_id',
  )
  listTransactions(@Query() q: TransactionListQuery): Promise<Page<TransactionRead>> {
    return this.queryBus.execute(
      new ListTransactionsQuery(q, q.sender_id?.toLowerCase(), q.receiver_id?.toLowerCase()),
    );
  }
}
