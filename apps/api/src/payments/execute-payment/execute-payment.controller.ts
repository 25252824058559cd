/** `POST /payments/execute/{id}` (API-RULES.md §3, support): sends a PENDING payment again. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommittedRead } from '../../http/committed';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../shared/payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { ExecutePaymentCommand } from './execute-payment.command';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('payments', 'payments')
export class ExecutePaymentController extends CommandController {
  @CommandRoute(200, {
    path: 'execute/:id',
    dispatches: ExecutePaymentCommand,
    access: ['support'],
    answers:
      'The payment: SENT, or still PENDING when the PSP did not answer; SENT/SETTLED ones unchanged',
  })
  execute(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<CommittedRead<PaymentRead>> {
    return this.commandBus.execute(
      new ExecutePaymentCommand(origin, routeId(rawId, paymentNotFound)),
    );
  }
}
