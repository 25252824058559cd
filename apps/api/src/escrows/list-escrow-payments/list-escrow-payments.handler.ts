import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { type PaymentRead, paymentRowView } from '../../payments/shared/payments.view';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { EscrowReader } from '../shared/escrow-reader';
import { listPage } from '../../platform/list-page';
import { ListEscrowPaymentsQuery } from './list-escrow-payments.query';

@QueryHandler(ListEscrowPaymentsQuery)
export class ListEscrowPaymentsHandler implements IQueryHandler<ListEscrowPaymentsQuery> {
  constructor(
    private readonly escrows: EscrowReader,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
  ) {}

  async execute({
    actor,
    escrowId,
    filters: q,
  }: ListEscrowPaymentsQuery): Promise<Page<PaymentRead>> {
    const escrow = await this.escrows.row(actor, escrowId);
    let query = this.db.selectFrom('payments').where('escrow_id', '=', escrow.id);
    if (q.kind) query = query.where('kind', '=', q.kind);
    const ordered = query.selectAll().orderBy('initiated_at').orderBy('id');
    return listPage(query, ordered, q, (r) => paymentRowView(r, escrow.scale));
  }
}
