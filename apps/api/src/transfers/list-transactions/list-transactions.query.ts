import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { TransactionRead } from '../shared/transfers.view';

/** Transactions, a page of them, filtered by sender and receiver when named (in lower case). */
export class ListTransactionsQuery extends Query<Page<TransactionRead>> {
  constructor(
    readonly page: PageQuery,
    readonly senderId?: string,
    readonly receiverId?: string,
  ) {
    super();
  }
}
