import { Query } from '@nestjs/cqrs';
import type { TransactionRead } from '../shared/transfers.view';

/** The transaction `transactionId` (in lower case). */
export class GetTransactionQuery extends Query<TransactionRead> {
  constructor(readonly transactionId: string) {
    super();
  }
}
