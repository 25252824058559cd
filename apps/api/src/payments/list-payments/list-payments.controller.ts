/**
 * `GET /admin/payments` (FRONTEND-CONTRACT.md §6.3): every payment of every kind, for support,
 * auditors and admin (the admin dashboard's counter and the payment detail page).
 */
import { QueryStringController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { ListPaymentsQuery } from './list-payments.query';
import { PaymentListQuery } from './list-payments.request';

@ApiController('payments', 'admin/payments')
export class ListPaymentsController extends QueryStringController({
  access: ['support', 'auditor'],
  answers:
    '{items, total, limit, offset}: payments of every kind, newest first; `status` ERROR (or FAILED) for failed ones; a `payment_id`/`id` that is not a UUID matches none',
  params: PaymentListQuery,
  query: ListPaymentsQuery,
}) {}
