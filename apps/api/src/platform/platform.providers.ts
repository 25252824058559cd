/**
 * What a handler may ask for, one provider each, so that every handler declares what it uses:
 * the read models (typed Kysely), the event store, the command runner, the projection runner,
 * the PSP, the clock, the configuration, metrics, the scheduler and the logger. They all come
 * from the one `Platform` a process opens (libs/platform); this module only hands them out.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AppConfig } from '@kob/config';
import type { EventStore } from '@kob/event-store';
import type { PlatformTables } from '@kob/platform';
import type { ReadModels } from '@kob/projections';
import type { PspSimulator } from '@kob/psp';

/** `Kysely<ReadModels & PlatformTables>`: every query of the API. */
export const READ_MODELS = Symbol('READ_MODELS');
export type ReadModelsDb = Kysely<ReadModels & PlatformTables>;

/** The event store port (`EventStore`). */
export const EVENT_STORE = Symbol('EVENT_STORE');
export type { EventStore };

/** The configuration (`AppConfig`). */
export const APP_CONFIG = Symbol('APP_CONFIG');
export type { AppConfig };

/** The PSP adapter (`PSP_PROVIDER`; the simulator is the only one yet). */
export const PSP = Symbol('PSP');
export type Psp = PspSimulator;

/** The clock: the time a query reads "now" at (commands take theirs from their metadata). */
export const CLOCK = Symbol('CLOCK');
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** `reservationStream(kind, value)`: the stream id of a uniqueness reservation. */
export const RESERVATIONS = Symbol('RESERVATIONS');
export type ReservationStreams = (kind: string, value: string) => Promise<string>;

/** The process's logger (pino). */
export const LOGGER = Symbol('LOGGER');
export type { Logger };

/**
 * The whole `Platform`, for the HTTP infrastructure that needs several parts at once (health,
 * the module wiring). A handler asks for the providers above instead.
 */
export const PLATFORM = Symbol('PLATFORM');
