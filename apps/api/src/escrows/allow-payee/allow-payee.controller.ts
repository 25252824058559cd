/** `POST /spend/allowed` (API-RULES.md §1, §3): support or admin allows a payee on an escrow. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { AllowPayeeCommand } from './allow-payee.command';
import { AllowPayeeBody } from './allow-payee.request';

@ApiController('spend')
export class AllowPayeeController extends CommandController {
  @CommandRoute(201, {
    path: 'spend/allowed',
    access: ['support'],
    dispatches: AllowPayeeCommand,
    answers: 'The allowed payee',
  })
  allow(@Origin() origin: CommandOrigin, @Body() body: AllowPayeeBody) {
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
