/** `POST /payments/{id}/retry` (API-RULES.md §3, support): pays a FAILED payment again. */
import { Body, Param } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Origin } from '../../auth/access.guard';
import type { Committed, CommittedRead } from '../../http/committed';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../shared/payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { RetryPaymentCommand } from './retry-payment.command';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('payments', 'payments')
export class RetryPaymentController extends CommandController {
  @CommandRoute(201, {
    path: ':id/retry',
    dispatches: RetryPaymentCommand,
    access: ['support'],
    answers: 'The new payment that pays the failed (ERROR) one (retry_of), as the PSP left it',
  })
  @ApiOkResponse({
    description: 'A SENT or SETTLED payment needs no retry: answered unchanged (200)',
  })
  retry(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<Committed<PaymentRead> | CommittedRead<PaymentRead>> {
    return this.commandBus.execute(
      new RetryPaymentCommand(origin, routeId(rawId, paymentNotFound)),
    );
  }
}
