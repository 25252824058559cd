/** `POST /spend/allowed` (API-RULES.md §1, §3): support or admin allows a payee on an escrow. */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import type { PayeeRead } from '../shared/payees.view';
import { AllowPayeeCommand } from './allow-payee.command';
import { AllowPayeeBody } from './allow-payee.request';

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller()
export class AllowPayeeController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('spend/allowed')
  @HttpCode(201)
  @Access('support')
  @Dispatches(AllowPayeeCommand)
  @ApiCreatedResponse({ description: 'The allowed payee' })
  allow(
    @Origin() origin: CommandOrigin,
    @Body() body: AllowPayeeBody,
  ): Promise<Committed<PayeeRead>> {
    return this.commandBus.execute(
      new AllowPayeeCommand(origin, body.escrow_id.toLowerCase(), {
        payeeRef: body.payee_ref,
        label: body.label,
        dailyLimit: body.daily_limit ?? null,
        totalLimit: body.total_limit ?? null,
      }),
    );
  }
}
