/** `POST /escrows/{id}/milestones` (API-RULES.md §2): the client adds a milestone. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';
import { AddMilestoneCommand } from './add-milestone.command';
import { AddMilestoneBody } from './add-milestone.request';

@ApiController('escrows', 'escrows')
export class AddMilestoneController extends CommandController {
  @CommandRoute(201, {
    path: ':id/milestones',
    dispatches: AddMilestoneCommand,
    answers: 'The milestone, WAITING',
  })
  addMilestone(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: AddMilestoneBody,
  ) {
    return this.commandBus.execute(
      new AddMilestoneCommand(origin, routeId(rawId, escrowNotFound), {
        label: body.label,
        amount: body.amount,
        currency: body.currency,
        sequenceIndex: body.sequence_index,
        proofKind: body.proof_kind ?? null,
        proofRequirements: body.proof_requirements ?? {},
        geofence: {
          lat: body.geofence_lat,
          lng: body.geofence_lng,
          radiusM: body.geofence_radius_m,
        },
      }),
    );
  }
}
