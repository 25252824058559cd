/**
 * `POST /spend` (API-RULES.md §1, §3): the escrow's client (or admin) pays an allowed payee;
 * Idempotency-Key required.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { CommittedResult } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import { SpendUsageCommand } from './spend-usage.command';
import { SpendBody } from './spend-usage.request';
import type { SpendRead } from './spend-usage.view';

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller()
export class SpendUsageController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('spend')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(SpendUsageCommand)
  @ApiOkResponse({
    description:
      'The spend: a payment of kind `spend` (SENT, or PENDING/FAILED when the PSP did not accept it)',
  })
  spend(
    @Origin() origin: CommandOrigin,
    @Body() body: SpendBody,
  ): Promise<CommittedResult<SpendRead>> {
    // The key is refused before anything else: a spend without one is 400 whatever it names.
    origin.metadata('required');
    return this.commandBus.execute(
      new SpendUsageCommand(origin, body.escrow_id.toLowerCase(), {
        payeeRef: body.payee_ref,
        amount: body.amount,
        note: body.note ?? null,
      }),
    );
  }
}
