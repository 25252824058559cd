/** `POST /escrows/{id}/mark-delivered` (API-RULES.md §2): a party says it was delivered (A3). */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { MarkDeliveredCommand } from './mark-delivered.command';
import { MarkDeliveredBody } from './mark-delivered.request';

@ApiController('escrows', 'escrows')
export class MarkDeliveredController extends CommandController {
  @CommandRoute(200, {
    path: ':id/mark-delivered',
    dispatches: MarkDeliveredCommand,
    answers: 'The escrow, RELEASABLE',
  })
  markDelivered(@Origin() o: CommandOrigin, @Param('id') id: string, @Body() b: MarkDeliveredBody) {
    const note = b?.note ?? null;
    const proofUrl = b?.proof_url ?? null;
    return this.commandBus.execute(
      new MarkDeliveredCommand(o, routeId(id, escrowNotFound), note, proofUrl),
    );
  }
}
