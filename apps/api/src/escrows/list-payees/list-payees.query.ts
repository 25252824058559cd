import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { Page, PageQuery } from '../../http/pagination';
import type { PayeeRead } from '../shared/payees.view';

/** A page of the escrow's allowed payees, with what was spent to each (its stream's view). */
export class ListPayeesQuery extends Query<Page<PayeeRead>> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
    readonly page: PageQuery,
  ) {
    super();
  }
}
