/** `POST /escrows/milestones/{milestoneId}/release` (API-RULES.md §2): no body. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { milestoneNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { ReleaseMilestoneCommand } from './release-milestone.command';

@ApiController('escrows', 'escrows')
export class ReleaseMilestoneController extends CommandController {
  @CommandRoute(200, {
    path: 'milestones/:milestoneId/release',
    dispatches: ReleaseMilestoneCommand,
    answers:
      'The payout of the milestone (a repeat answers the existing payout), with the milestone',
  })
  release(
    @Origin() origin: CommandOrigin,
    @Param('milestoneId') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ) {
    const milestoneId = routeId(rawId, milestoneNotFound);
    return this.commandBus.execute(new ReleaseMilestoneCommand(origin, milestoneId));
  }
}
