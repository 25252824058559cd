/** `POST /escrows/{id}/check-deadline` (API-RULES.md §2): no body. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { CheckDeadlineCommand } from './check-deadline.command';

@ApiController('escrows', 'escrows')
export class CheckDeadlineController extends CommandController {
  @CommandRoute(200, {
    path: ':id/check-deadline',
    access: ['sender', 'support'],
    dispatches: CheckDeadlineCommand,
    answers: 'The escrow: unchanged before its deadline, else its on_deadline outcome',
  })
  checkDeadline(
    @Origin() o: CommandOrigin,
    @Param('id') id: string,
    @Body(NoBodyPipe) _: undefined,
  ) {
    return this.commandBus.execute(new CheckDeadlineCommand(o, routeId(id, escrowNotFound)));
  }
}
