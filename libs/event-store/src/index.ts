export * from './event-store.port';
export * from './errors';
export * from './hash-chain';
export * from './reservations';
export * from './system-metadata';
export * from './postgres/postgres-event-store';
