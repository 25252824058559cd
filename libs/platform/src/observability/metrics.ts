/**
 * Prometheus metrics (prom-client), one registry per process: HTTP requests and latency by route
 * and status, commands by type and outcome, append latency, conflict retries, projection lag,
 * and the PostgreSQL store's group commit (batches, commands in them, batches written again
 * command by command).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What the PostgreSQL store's group commit has counted (`AppendBatcher.stats`). */
export interface GroupCommitStats {
  batches: number;
  commands: number;
  fallbacks: number;
}

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

  /** The PostgreSQL store's group-commit counts, read at scrape time (none on other stores). */
  private groupCommitStats: () => GroupCommitStats | undefined = () => undefined;
  readonly groupCommitBatches = this.scraped(
    'event_store_group_commit_batches_total',
    'Group-commit batches written (one transaction each)',
    (s) => s.batches,
  );
  readonly groupCommitCommands = this.scraped(
    'event_store_group_commit_commands_total',
    'Commands written through group-commit batches',
    (s) => s.commands,
  );
  readonly groupCommitFallbacks = this.scraped(
    'event_store_group_commit_fallbacks_total',
    'Batches that failed whole and were written command by command',
    (s) => s.fallbacks,
  );

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the group-commit counts of `stats` (the store's batcher) at each scrape. */
  watchGroupCommit(stats: () => GroupCommitStats | undefined): void {
    this.groupCommitStats = stats;
  }

  private scraped(name: string, help: string, value: (s: GroupCommitStats) => number) {
    const read = () => this.groupCommitStats();
    return new Counter({
      name,
      help,
      registers: [this.registry],
      collect() {
        const s = read();
        this.reset();
        if (s) this.inc(value(s));
      },
    });
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
