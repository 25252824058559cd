/** `GET /transactions/{id}` (KOBATELA-SPEC.md §2.10): one transaction. */
import { Param } from '@nestjs/common';
import { routeId } from '../../http/route-id';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';
import { transactionNotFound } from '../shared/transfer-errors';
import type { TransactionRead } from '../shared/transfers.view';
import { GetTransactionQuery } from './get-transaction.query';

@ApiController('transfers')
export class GetTransactionController extends QueryController {
  @QueryRoute({
    path: 'transactions/:id',
    dispatches: GetTransactionQuery,
    access: ['support', 'auditor'],
    answers: 'The transaction; 404 TRANSACTION_NOT_FOUND',
  })
  transaction(@Param('id') rawId: string): Promise<TransactionRead> {
    return this.queryBus.execute(new GetTransactionQuery(routeId(rawId, transactionNotFound)));
  }
}
