/**
 * `POST /spend` (API-RULES.md §1, §3): the escrow's client (or admin) pays an allowed payee;
 * Idempotency-Key required.
 */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { CommandOrigin } from '../../platform/command-origin';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { SpendUsageCommand } from './spend-usage.command';
import { SpendBody } from './spend-usage.request';

@ApiController('spend')
export class SpendUsageController extends CommandController {
  @CommandRoute(200, {
    path: 'spend',
    dispatches: SpendUsageCommand,
    answers:
      'The spend: a payment of kind `spend` (SENT, or PENDING/ERROR when the PSP did not accept it)',
  })
  spend(@Origin() origin: CommandOrigin, @Body() body: SpendBody) {
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
