/** `POST /escrows/{id}/client-reject` (API-RULES.md §2): the escrow's client decides. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { ClientDecisionBody } from '../shared/client-decision.request';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { ClientRejectCommand } from './client-reject.command';

@ApiController('escrows', 'escrows')
export class ClientRejectController extends CommandController {
  @CommandRoute(200, {
    path: ':id/client-reject',
    dispatches: ClientRejectCommand,
    answers: 'The escrow, REFUNDED (or CANCELLED from DRAFT), with the refund this started',
  })
  reject(@Origin() o: CommandOrigin, @Param('id') id: string, @Body() b: ClientDecisionBody) {
    const escrowId = routeId(id, escrowNotFound);
    return this.commandBus.execute(new ClientRejectCommand(o, escrowId, b?.note ?? null));
  }
}
