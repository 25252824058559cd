/** `GET /escrows/{id}/milestones` (API-RULES.md §1): a party, support, auditor or admin. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import type { MilestoneRead } from '../shared/escrows.view';
import { ListMilestonesQuery } from './list-milestones.query';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ListMilestonesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id/milestones')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListMilestonesQuery)
  @ApiOkResponse({ description: 'Milestones in sequence order' })
  milestones(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<MilestoneRead[]> {
    return this.queryBus.execute(new ListMilestonesQuery(actor, routeId(rawId, escrowNotFound)));
  }
}
