/** `GET /transactions` (KOBATELA-SPEC.md §2.10): transactions, for support and auditors. */
import { QueryStringController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { ListTransactionsQuery } from './list-transactions.query';
import { TransactionListQuery } from './list-transactions.request';

@ApiController('transfers')
export class ListTransactionsController extends QueryStringController({
  name: 'listTransactions',
  path: 'transactions',
  access: ['support', 'auditor'],
  answers: '{items, total, limit, offset}, oldest first; filters sender_id, receiver_id',
  params: TransactionListQuery,
  query: ListTransactionsQuery,
}) {}
