export * from './commands/command-runner';
export * from './commands/stream-queue';
export * from './commands/stream-state-cache';
export * from './observability/logger';
export * from './observability/metrics';
export * from './projections/projection-runner';
export * from './platform';
export * from './projections/projector-worker';
