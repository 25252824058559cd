/**
 * The Health feature: its controllers and query handlers (`GET /health`, `GET /metrics`).
 */
import { Module } from '@nestjs/common';
import { GetHealthController } from './get-health/get-health.controller';
import { GetHealthHandler } from './get-health/get-health.handler';
import { GetMetricsController } from './get-metrics/get-metrics.controller';
import { GetMetricsHandler } from './get-metrics/get-metrics.handler';

@Module({
  controllers: [GetHealthController, GetMetricsController],
  providers: [GetHealthHandler, GetMetricsHandler],
})
export class HealthModule {}
