/** GET /metrics (no key): Prometheus exposition of this process's registry. */
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { Public } from '../auth/access.decorator';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Platform } from '@kob/platform';
import { PLATFORM } from '../tokens';

@ApiTags('operations')
@Public()
@Controller()
export class MetricsController {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOkResponse({ description: 'Prometheus metrics' })
  async metrics(): Promise<string> {
    // Lag is measured at scrape time, so the gauge is never staler than the scrape.
    const lags = await this.platform.projections.statusWithLag().catch(() => []);
    for (const s of lags)
      this.platform.metrics.projectionLag.set({ projector: s.name }, s.lagMs / 1000);
    return this.platform.metrics.registry.metrics();
  }
}
