/**
 * Prometheus metrics (prom-client), one registry per process: HTTP requests and latency by route
 * and status, commands by type and outcome, append latency, conflict retries, projection lag.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'commands_total',
    help: 'Commands by type and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'event_store_append_duration_seconds',
    help: 'Latency of event store appends',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });
  readonly conflictRetries = new Counter({
    name: 'event_store_conflict_retries_total',
    help: 'Optimistic concurrency conflicts that were retried',
    labelNames: ['category'] as const,
    registers: [this.registry],
  });
  readonly projectionLag = new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the oldest event a projector has not applied yet (0 when caught up)',
    labelNames: ['projector'] as const,
    registers: [this.registry],
  });
  readonly projectionBatch = new Histogram({
    name: 'projection_batch_duration_seconds',
    help: 'Time to apply one projection batch',
    labelNames: ['projector'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly projectionEvents = new Counter({
    name: 'projection_events_total',
    help: 'Events applied by projector',
    labelNames: ['projector'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
