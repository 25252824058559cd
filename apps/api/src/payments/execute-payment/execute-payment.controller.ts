/** `POST /payments/execute/{id}` (API-RULES.md §3, support): sends a PENDING payment again. */
import { IdCommandController } from '../../http/declared-routes';
import { ApiController } from '../../http/routes';
import { paymentNotFound } from '../shared/payment-lookup';
import { ExecutePaymentCommand } from './execute-payment.command';

@ApiController('payments', 'payments')
export class ExecutePaymentController extends IdCommandController({
  status: 200,
  path: 'execute/:id',
  notFound: paymentNotFound,
  command: ExecutePaymentCommand,
  access: ['support'],
  answers:
    'The payment: SENT, or still PENDING when the PSP did not answer; SENT/SETTLED ones unchanged',
  name: 'execute',
}) {}
