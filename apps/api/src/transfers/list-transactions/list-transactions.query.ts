import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { TransactionRead } from '../shared/transfers.view';
import type { TransactionListQuery } from './list-transactions.request';

/**
 * Transactions, a page of them, filtered by sender and receiver when named (in lower case): the
 * query string of `GET /transactions`.
 */
export class ListTransactionsQuery extends Query<Page<TransactionRead>> {
  readonly page: PageQuery;
  readonly senderId?: string;
  readonly receiverId?: string;

  constructor(params: TransactionListQuery) {
    super();
    this.page = params;
    this.senderId = params.sender_id?.toLowerCase();
    this.receiverId = params.receiver_id?.toLowerCase();
  }
}
