/** `POST /escrows/milestones/{milestoneId}/release` (API-RULES.md §2): no body. */
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { NoBodyPipe } from '../../http/no-body.pipe';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { milestoneNotFound } from '../shared/escrow-errors';
import { type ReleaseAnswer, ReleaseMilestoneCommand } from './release-milestone.command';

@ApiTags('escrows')
@ApiSecurity('X-API-Key')
@Controller('escrows')
export class ReleaseMilestoneController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post('milestones/:milestoneId/release')
  @HttpCode(200)
  @Access('sender')
  @Dispatches(ReleaseMilestoneCommand)
  @ApiOkResponse({
    description:
      'The payout of the milestone (a repeat answers the existing payout), with the milestone',
  })
  release(
    @Origin() origin: CommandOrigin,
    @Param('milestoneId') rawId: string,
    @Body(NoBodyPipe) _body: undefined,
  ): Promise<Committed<ReleaseAnswer>> {
    const milestoneId = routeId(rawId, milestoneNotFound);
    return this.commandBus.execute(new ReleaseMilestoneCommand(origin, milestoneId));
  }
}
