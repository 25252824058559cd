/** `POST /escrows/{id}/client-approve` (API-RULES.md §2): the escrow's client decides. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { ClientDecisionBody } from '../shared/client-decision.request';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { ClientApproveCommand } from './client-approve.command';

@ApiController('escrows', 'escrows')
export class ClientApproveController extends CommandController {
  @CommandRoute(200, {
    path: ':id/client-approve',
    dispatches: ClientApproveCommand,
    answers: 'The escrow, RELEASED, with the payouts this started',
  })
  approve(@Origin() o: CommandOrigin, @Param('id') id: string, @Body() b: ClientDecisionBody) {
    const escrowId = routeId(id, escrowNotFound);
    return this.commandBus.execute(new ClientApproveCommand(o, escrowId, b?.note ?? null));
  }
}
