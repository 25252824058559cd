/** GET /metrics (no key): Prometheus exposition of this process's registry. */
import { Controller, Get, Header } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { GetMetricsQuery } from './get-metrics.query';

@ApiTags('operations')
@Public()
@Controller()
export class GetMetricsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Dispatches(GetMetricsQuery)
  @ApiOkResponse({ description: 'Prometheus metrics' })
  metrics(): Promise<string> {
    return this.queryBus.execute(new GetMetricsQuery());
  }
}
