/** A transaction, read from its stream; 404 TRANSACTION_NOT_FOUND if there is none. */
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { transactionDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { transactionNotFound } from '../shared/transfer-errors';
import { transactionStream } from '../shared/transfer-streams';
import { type TransactionRead, transactionStateView } from '../shared/transfers.view';
import { GetTransactionQuery } from './get-transaction.query';

@QueryHandler(GetTransactionQuery)
export class GetTransactionHandler implements IQueryHandler<GetTransactionQuery> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ transactionId }: GetTransactionQuery): Promise<TransactionRead> {
    const { state } = await this.commands.read(
      transactionStream(transactionId),
      transactionDecider,
    );
    if (!state.exists) throw transactionNotFound();
    return transactionStateView(state);
  }
}
