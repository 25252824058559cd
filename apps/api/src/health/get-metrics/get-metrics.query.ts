import { Query } from '@nestjs/cqrs';

/** This process's metrics in the Prometheus exposition format (`GET /metrics`). */
export class GetMetricsQuery extends Query<string> {}
