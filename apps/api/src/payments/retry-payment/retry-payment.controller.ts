/** `POST /payments/{id}/retry` (API-RULES.md §3, support): pays a FAILED payment again. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed, CommittedRead } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PaymentRead } from '../payments.view';
import { paymentNotFound } from '../shared/payment-lookup';
import { RetryPaymentCommand } from './retry-payment.command';

@ApiTags('payments')
@ApiSecurity('X-API-Key')
@Controller('payments')
export class RetryPaymentController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/retry')
  @HttpCode(201)
  @Access('support')
  @Dispatches(RetryPaymentCommand)
  @ApiCreatedResponse({
    description: 'The new payment that pays the FAILED one (retry_of), as the PSP left it',
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
