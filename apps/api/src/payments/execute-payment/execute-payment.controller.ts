/** `POST /payments/execute/{id}` (API-RULES.md §3, support): sends a PENDING payment again. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { CommittedRead } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { ExecutePaymentCommand } from './execute-payment.command';

@ApiTags('payments')
@ApiSecurity('X-API-Key')
@Controller('payments')
export class ExecutePaymentController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('execute/:id')
  @HttpCode(200)
  @Access('support')
  @Dispatches(ExecutePaymentCommand)
  @ApiOkResponse({
    description:
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
