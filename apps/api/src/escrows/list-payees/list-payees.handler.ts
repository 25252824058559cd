import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { CLOCK, type Clock } from '../../platform/platform.providers';
import { EscrowReader } from '../shared/escrow-reader';
import { type PayeeRead, payeeView } from '../shared/payees.view';
import { ListPayeesQuery } from './list-payees.query';

@QueryHandler(ListPayeesQuery)
export class ListPayeesHandler implements IQueryHandler<ListPayeesQuery> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actor, escrowId, page }: ListPayeesQuery): Promise<Page<PayeeRead>> {
    const escrow = await this.escrows.state(actor, escrowId);
    const now = this.clock.now().toISOString();
    const items = escrow.payees
      .slice(page.offset, page.offset + page.limit)
      .map((p) => payeeView(escrow, p, now));
    return { items, total: escrow.payees.length, limit: page.limit, offset: page.offset };
  }
}
