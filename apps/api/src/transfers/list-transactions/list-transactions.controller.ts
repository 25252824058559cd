/** `GET /transactions` (KOBATELA-SPEC.md §2.10): transactions, for support and auditors. */
import { Query } from '@nestjs/common';
import type { Page } from '../../http/pagination';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import type { TransactionRead } from '../shared/transfers.view';
import { ListTransactionsQuery } from './list-transactions.query';
import { TransactionListQuery } from './list-transactions.request';

@ApiController('transfers')
export class ListTransactionsController extends QueryController {
  @QueryRoute({
    path: 'transactions',
    dispatches: ListTransactionsQuery,
    access: ['support', 'auditor'],
    answers: '{items, total, limit, offset}, oldest first; filters sender_id, receiver_id',
  })
  listTransactions(@Query() q: TransactionListQuery): Promise<Page<TransactionRead>> {
    return this.queryBus.execute(
      new ListTransactionsQuery(q, q.sender_id?.toLowerCase(), q.receiver_id?.toLowerCase()),
    );
  }
}
