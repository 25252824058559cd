/** `GET /escrows/milestones/{milestoneId}` (API-RULES.md §1): a party of its escrow, or staff. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { milestoneNotFound } from '../shared/escrow-errors';
import type { MilestoneRead } from '../shared/escrows.view';
import { GetMilestoneQuery } from './get-milestone.query';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class GetMilestoneController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('milestones/:milestoneId')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetMilestoneQuery)
  @ApiOkResponse({ description: 'One milestone' })
  milestone(
    @CurrentActor() actor: Actor,
    @Param('milestoneId') rawId: string,
  ): Promise<MilestoneRead> {
    return this.queryBus.execute(new GetMilestoneQuery(actor, routeId(rawId, milestoneNotFound)));
  }
}
