/** `POST /escrows/{id}/deposit` (API-RULES.md §3): the client funds its escrow. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { DepositCommand } from './deposit.command';
import { DepositBody } from './deposit.request';

@ApiController('escrows', 'escrows')
export class DepositController extends CommandController {
  @CommandRoute(200, {
    path: ':id/deposit',
    dispatches: DepositCommand,
    answers: 'The escrow, with the deposit (CONFIRMED, PENDING, FAILED or REFUNDED)',
  })
  deposit(@Origin() origin: CommandOrigin, @Param('id') rawId: string, @Body() body: DepositBody) {
    // The key is refused before the id, as ever: a deposit without one is 400 whatever it names.
    origin.metadata('required');
    return this.commandBus.execute(
      new DepositCommand(origin, routeId(rawId, escrowNotFound), body.amount),
    );
  }
}
