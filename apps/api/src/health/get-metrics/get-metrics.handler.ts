import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Metrics, ProjectionRunner } from '@kob/platform';
import { GetMetricsQuery } from './get-metrics.query';

@QueryHandler(GetMetricsQuery)
export class GetMetricsHandler implements IQueryHandler<GetMetricsQuery> {
  constructor(
    private readonly projections: ProjectionRunner,
    private readonly metrics: Metrics,
  ) {}

  async execute(): Promise<string> {
    // Lag is measured at scrape time, so the gauge is never staler than the scrape.
    const lags = await this.projections.statusWithLag().catch(() => []);
    for (const s of lags) this.metrics.projectionLag.set({ projector: s.name }, s.lagMs / 1000);
    return this.metrics.registry.metrics();
  }
}
