export * from './event-store.port';
export * from './errors';
export * from './hash-chain';
export * from './history-cut';
export * from './reservations';
export * from './system-metadata';
export * from './postgres/postgres-event-store';
export * from './postgres/append-signal';
export * from './eventstoredb/eventstoredb-event-store';
export {
  EventStoreUnavailableError,
  type EventStoreFailure,
} from './eventstoredb/eventstoredb-errors';
export {
  MultiStreamAppendUnsupportedError,
  type ClaimedFor,
} from './eventstoredb/eventstoredb-multi-stream';
export * from './eventstoredb/multi-stream-recovery';
