/** Transactions, oldest first, from the read model. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { listPage } from '../../platform/list-page';
import { type TransactionRead, transactionRowView } from '../shared/transfers.view';
import { ListTransactionsQuery } from './list-transactions.query';

@QueryHandler(ListTransactionsQuery)
export class ListTransactionsHandler implements IQueryHandler<ListTransactionsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page, senderId, receiverId }: ListTransactionsQuery): Promise<Page<TransactionRead>> {
    let base = this.db.selectFrom('transactions');
    if (senderId) base = base.where('sender_id', '=', senderId);
    if (receiverId) base = base.where('receiver_id', '=', receiverId);
    return listPage(
      base,
      base.selectAll().orderBy('created_at').orderBy('id'),
      page,
      transactionRowView,
    );
  }
}
