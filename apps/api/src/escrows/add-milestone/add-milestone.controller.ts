/** `POST /escrows/{id}/milestones` (API-RULES.md §2): the client adds a milestone. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { escrowNotFound } from '../shared/escrow-errors';
import type { MilestoneRead } from '../shared/escrows.view';
import { AddMilestoneCommand } from './add-milestone.command';
import { AddMilestoneBody } from './add-milestone.request';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class AddMilestoneController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post(':id/milestones')
  @HttpCode(201)
  @Access('sender')
  @Dispatches(AddMilestoneCommand)
  @ApiCreatedResponse({ description: 'The milestone, WAITING' })
  addMilestone(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: AddMilestoneBody,
  ): Promise<Committed<MilestoneRead>> {
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
