/**
 * The event store a process opens (EVENT_STORE): PostgreSQL on the service's own pool, or
 * EventStoreDB on its own connection (EVENTSTORE_CONNECTION_STRING). Projection checkpoints and
 * read models stay in PostgreSQL either way, in the read-model transaction.
 *
 * What is wired to EventStoreDB today: reading `$all` (the projector worker, `/health`'s probe
 * and head). What is not: the commands. Several of them append to more than one aggregate in
 * one transaction (an alert or a webhook's outcome with the escrow, a mandate slot handed over
 * from an expired holder) or decide on facts of streams they only read, conditional on those
 * streams' revisions (transfers, purchases); EventStoreDB 6.x has neither, and the command
 * pipeline's redesign for it is not done (README, EventStoreDB adapter). A process that decides
 * commands is refused at start with EVENT_STORE=eventstoredb rather than quietly running on
 * PostgreSQL or losing those guarantees.
 */
import type { Pool } from 'pg';
import { type AppConfig, ConfigError } from '@kob/config';
import { type EventStore, EventStoreDbEventStore, PostgresEventStore } from '@kob/event-store';

/** `commands`: decides and appends (API, CLI); `projections`: only reads `$all` (worker). */
export type EventStoreUse = 'commands' | 'projections';

/** Refuses EVENT_STORE=eventstoredb for a process that decides commands (see above). */
export function refuseUnwiredEventStore(
  config: Pick<AppConfig, 'eventStore'>,
  use: EventStoreUse,
): void {
  if (config.eventStore === 'eventstoredb' && use === 'commands')
    throw new ConfigError(
      'EVENT_STORE',
      'eventstoredb serves the projector worker only: the commands are not wired to it yet ' +
        '(multi-aggregate appends and conditions on facts read; README, EventStoreDB adapter); ' +
        'use postgres for the API and the CLI',
    );
}

/** The configured store; an EventStoreDB client connects lazily, on its first call. */
export function openEventStore(
  config: Pick<AppConfig, 'eventStore' | 'eventStoreConnectionString'>,
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
  return new PostgresEventStore(pool);
}
