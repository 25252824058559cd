/**
 * Prometheus metrics (prom-client), one registry per process: HTTP requests and latency by route
 * and status, commands by type and outcome, append latency, conflict retries, projection lag.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const HTTP_LABELS = ['method', 'route', 'status'] as const;
const PROJECTOR_LABELS = ['projector'] as const;

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = this.counter(
    'http_requests_total',
    'HTTP requests by method, route and status',
    HTTP_LABELS,
  );
  readonly httpDuration = this.histogram(
    'http_request_duration_seconds',
    'HTTP request latency by method, route and status',
    HTTP_LABELS,
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  readonly commands = this.counter('commands_total', 'Commands by type and outcome', [
    'command',
    'outcome',
  ]);
  readonly appendDuration = this.histogram(
    'event_store_append_duration_seconds',
    'Latency of event store appends',
    [],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  readonly conflictRetries = this.counter(
    'event_store_conflict_retries_total',
    'Optimistic concurrency conflicts that were retried',
    ['category'],
  );
  readonly projectionLag = new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the oldest event a projector has not applied yet (0 when caught up)',
    labelNames: PROJECTOR_LABELS,
    registers: [this.registry],
  });
  readonly projectionBatch = this.histogram(
    'projection_batch_duration_seconds',
    'Time to apply one projection batch',
    PROJECTOR_LABELS,
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  readonly projectionEvents = this.counter(
    'projection_events_total',
    'Events applied by projector',
    PROJECTOR_LABELS,
  );

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ) {
    return new Histogram<L>({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
