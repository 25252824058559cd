/**
 * Lists payments from the `payments` read model (the one source of payment rows), newest first
 * (initiated, then id, so a page boundary is stable). Each row is answered at its escrow's scale;
 * a payment whose escrow row is not projected yet is answered as stored rather than hidden.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { isUuid } from '@kob/kernel';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type PaymentRead, paymentRowView, paymentStatusStored } from '../shared/payments.view';
import { ListPaymentsQuery } from './list-payments.query';
import type { PaymentListQuery } from './list-payments.request';

/**
 * The one payment id `payment_id` and `id` name: `undefined` when neither is given, `null` when
 * they name none (a value that is not a UUID, or two different ids).
 */
function namedPaymentId(q: PaymentListQuery): string | null | undefined {
  const given = [q.payment_id, q.id].filter((v): v is string => v !== undefined);
  if (given.length === 0) return undefined;
  const ids = new Set(given.map((v) => v.toLowerCase()));
  const [id] = [...ids];
  return ids.size === 1 && isUuid(id) ? id : null;
}

@QueryHandler(ListPaymentsQuery)
export class ListPaymentsHandler implements IQueryHandler<ListPaymentsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ filters: q }: ListPaymentsQuery): Promise<Page<PaymentRead>> {
    const paymentId = namedPaymentId(q);
    if (paymentId === null) return { items: [], total: 0, limit: q.limit, offset: q.offset };
    let query = this.db.selectFrom('payments');
    if (paymentId !== undefined) query = query.where('payments.id', '=', paymentId);
    if (q.escrow_id) query = query.where('payments.escrow_id', '=', q.escrow_id.toLowerCase());
    if (q.status) query = query.where('payments.status', '=', paymentStatusStored(q.status));
    const ordered = query
      .leftJoin('escrows', 'escrows.id', 'payments.escrow_id')
      .selectAll('payments')
      .select('escrows.scale')
      .orderBy('payments.initiated_at', 'desc')
      .orderBy('payments.id', 'desc');
    return listPage(query, ordered, q, (r) => paymentRowView(r, r.scale));
  }
}
