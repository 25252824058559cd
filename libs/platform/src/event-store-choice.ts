/**
 * The event store a process opens (EVENT_STORE): PostgreSQL on the service's own pool, or
 * EventStoreDB on its own connection (EVENTSTORE_CONNECTION_STRING). Projection checkpoints,
 * read models, reservations' lookup tables and job checkpoints stay in PostgreSQL either way.
 * On EventStoreDB a command's appends to several streams are written in steps (reservations,
 * its aggregate, its consequences) and its conditions on streams only read become read pins
 * (libs/event-store/src/eventstoredb/eventstoredb-multi-stream.ts); the API, the CLI and the
 * projector worker all run on either store.
 */
import type { Pool } from 'pg';
import { type AppConfig, ConfigError } from '@kob/config';
import { type EventStore, EventStoreDbEventStore, PostgresEventStore } from '@kob/event-store';

/** The configured store; an EventStoreDB client connects lazily, on its first call. */
export function openEventStore(
  config: Pick<AppConfig, 'eventStore' | 'eventStoreConnectionString' | 'projectionsMode'>,
  pool: Pool,
): EventStore {
  if (config.eventStore === 'eventstoredb') {
    if (!config.eventStoreConnectionString)
      throw new ConfigError(
        'EVENTSTORE_CONNECTION_STRING',
        'is required with EVENT_STORE=eventstoredb',
      );
    return EventStoreDbEventStore.connect(config.eventStoreConnectionString);
  }
  // A projector worker follows this process's appends: tell it after each one (append-signal.ts).
  return new PostgresEventStore(pool, {
    signalOtherProcesses: config.projectionsMode === 'worker',
  });
}
