/**
 * GET /health (no key): database, migrations, event store, each projector's checkpoint and lag,
 * halted projectors, events parked by a projector (not replayed yet), the oldest open
 * transaction, the transaction holding back the `$all` horizon (every projection: the xmin rule
 * is cluster-wide; `degraded` once it has held it longer than EVENT_HORIZON_HELD_MAX_MS), the
 * database role and whether it could change the events table, and which PSP adapter runs.
 * Always 200; `status` says `degraded`.
 */
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { GetHealthQuery } from './get-health.query';

@ApiTags('operations')
@Public()
@Controller()
export class GetHealthController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('health')
  @Dispatches(GetHealthQuery)
  @ApiOkResponse({ description: 'Service health; always 200, `status` is ok or degraded' })
  health(): Promise<Record<string, unknown>> {
    return this.queryBus.execute(new GetHealthQuery());
  }
}
