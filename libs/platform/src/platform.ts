/**
 * Opens what every process of the service needs: the database (DATABASE_URL, or an embedded
 * PostgreSQL under DATA_DIR), migrations, the event store, the command pipeline and the
 * projection runner. The API, the projector worker and the CLI all start through here.
 */
import { createHmac } from 'node:crypto';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { ReadModels } from '@kob/projections';
import type { PlatformTables } from './platform.tables';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '@kob/config';
import { type AlertInput, alertAppend } from '@kob/alerts';
import {
  PostgresEventStore,
  WrongExpectedRevisionError,
  type EventStore,
  systemAppendMetadata,
} from '@kob/event-store';
import {
  type ConnectionTarget,
  type EmbeddedPostgres,
  type RoleExposure,
  createKysely,
  createPool,
  eventStoreExposure,
  poolConfig,
} from '@kob/postgres';
import { migrateDatabase, openDatabaseAccess } from './database-access';
import { openEventStore } from './event-store-choice';
import { CommandRunner } from './commands/command-runner';
import { Metrics } from './observability/metrics';
import {
  type ParkedEvent,
  ProjectionRunner,
  type Projector,
} from './projections/projection-runner';
import { Scheduler } from './scheduler/scheduler';
import { PspSimulator } from '@kob/psp';

export interface Platform {
  config: AppConfig;
  pool: Pool;
  db: Kysely<ReadModels & PlatformTables>;
  store: EventStore;
  commands: CommandRunner;
  projections: ProjectionRunner;
  metrics: Metrics;
  /** The PSP adapter (`PSP_PROVIDER`; the simulator is the only one yet). */
  psp: PspSimulator;
  /** Periodic jobs, run by one process at a time; apps register jobs, main starts it. */
  scheduler: Scheduler;
  embedded: EmbeddedPostgres | null;
  /** The role this process works as, and whether (why) it could change the events table. */
  databaseRole: RoleExposure;
  /**
   * The stream id of a uniqueness reservation: `{kind}-{HMAC(pepper, value)}`, with the value
   * normalised by the caller. Stable forever, not reversible by guessing.
   */
  reservationStream(kind: string, value: string): Promise<string>;
  /** Where the database is, for child processes (never logged: it holds a password). */
  connection: ConnectionTarget;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * `own`: this process owns the embedded server (the API); a data dir in use is an error.
   * `shared`: join the embedded server of a running API if there is one (CLI, worker).
   */
  embedded: 'own' | 'shared';
  poolMax?: number;
  /** Apply pending migrations (as the owner role); default: unless joining a running API's server. */
  migrate?: boolean;
  projectors: readonly Projector<ReadModels>[];
  metrics?: Metrics;
  crashAfterAppend?: boolean;
  /**
   * Wake the projections when another process appends (the projector worker), on PostgreSQL:
   * a LISTEN connection of its own (append-signal.ts); the poll stays for a lost signal.
   */
  listenForAppends?: boolean;
}

export async function openPlatform(
  config: AppConfig,
  log: Logger,
  options: OpenOptions,
): Promise<Platform> {
  const { access, pool, db, databaseRole, closeAll } = await openDatabase(config, log, options);
  const metrics = options.metrics ?? new Metrics();
  const store = openEventStore(config, pool);
  if (store instanceof PostgresEventStore) {
    metrics.watchGroupCommit(() => store.batcher?.stats);
    if (options.listenForAppends)
      await store.listenToOtherProcesses(poolConfig(access.service, 1), (msg, extra) =>
        log.warn(extra ?? {}, msg),
      );
  }
  const commands = commandRunner(store, metrics, options, config.appEnv === 'test');
  const projections = projectionRunner(config, log, store, db, metrics, options.projectors);
  // The simulator stands for a PSP that outlives this process: with the embedded server its
  // memory of keys is kept beside the data, unless configured elsewhere.
  const journal =
    config.pspSimulatorJournal ??
    (config.databaseUrl ? null : path.join(config.dataDir, 'psp-simulator.jsonl'));
  const psp = new PspSimulator(journal ? { journal } : {});
  const scheduler = new Scheduler(pool, [], {
    enabled: config.schedulerEnabled,
    log: (msg, extra) => log.info(extra ?? {}, msg),
  });
  return {
    config,
    pool,
    db,
    reservationStream: reservationStreams(db),
    store,
    commands,
    projections,
    metrics,
    psp,
    scheduler,
    embedded: access.embedded,
    connection: access.service,
    databaseRole,
    close: async () => {
      await scheduler.stop();
      psp.close();
      await projections.stop();
      await store.close();
      await closeAll();
    },
  };
}

/**
 * The database of this process: its access (embedded or DATABASE_URL), the service pool,
 * migrations when asked, and the check that the service role cannot change the events table.
 */
async function openDatabase(config: AppConfig, log: Logger, options: OpenOptions) {
  const access = await openDatabaseAccess(config, log, options.embedded);
  const pool = createPool(access.service, options.poolMax ?? 20);
  const db = createKysely<ReadModels & PlatformTables>(pool);
  const closeAll = async () => {
    await db.destroy().catch(() => undefined);
    // Kysely ends the pool only if it ever used it; idle clients would keep the process alive.
    if (!pool.ended) await pool.end().catch(() => undefined);
    await access.close();
  };
  let databaseRole: RoleExposure;
  try {
    if (options.migrate ?? !access.joined) {
      await migrateDatabase(
        access,
        db,
        options.projectors.flatMap((p) => p.tables),
      );
    }
    databaseRole = await eventStoreExposure(db);
    if (databaseRole.exposed && access.owner) {
      throw new Error(
        `the service role ${databaseRole.role} can change the events table: ${databaseRole.exposed}. ` +
          'DATABASE_URL must name a role that neither owns the tables nor is a superuser (see README, Database roles)',
      );
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
  return { access, pool, db, databaseRole, closeAll };
}

function commandRunner(
  store: EventStore,
  metrics: Metrics,
  options: OpenOptions,
  checkStreamHolds: boolean,
): CommandRunner {
  return new CommandRunner(store, {
    checkStreamHolds,
    crashAfterAppend: options.crashAfterAppend ?? false,
    onConflictRetry: (streamId) =>
      metrics.conflictRetries.inc({ category: streamId.split('-')[0] ?? '' }),
    onAppendMs: (ms) => metrics.appendDuration.observe(ms / 1000),
    onCommand: (command, outcome) => metrics.commands.inc({ command, outcome }),
  });
}

function projectionRunner(
  config: AppConfig,
  log: Logger,
  store: EventStore,
  db: Kysely<ReadModels & PlatformTables>,
  metrics: Metrics,
  projectors: readonly Projector<ReadModels>[],
): ProjectionRunner {
  return new ProjectionRunner(store, db, projectors, {
    ...(config.projectionBatchSize ? { batchSize: config.projectionBatchSize } : {}),
    deferWrites: config.projectionDeferredWrites,
    onBatch: (name, events, ms) => {
      metrics.projectionBatch.observe({ projector: name }, ms / 1000);
      metrics.projectionEvents.inc({ projector: name }, events);
    },
    log: (msg, extra) => log.error(extra ?? {}, msg),
    onHalt: (name, at, reason) =>
      name === 'ledger' ? raiseLedgerAlert(store, at, reason) : undefined,
    onPark: (name, parked) => raiseParkedAlert(store, name, parked),
  });
}

/** `Platform.reservationStream`, with the pepper read once (again after a failed read). */
function reservationStreams(
  db: Kysely<ReadModels & PlatformTables>,
): Platform['reservationStream'] {
  let pepper: Promise<string> | undefined;
  const loadPepper = async () => {
    const row = await db
      .selectFrom('service_secrets')
      .select('value')
      .where('name', '=', 'reservation_pepper')
      .executeTakeFirst();
    if (!row) throw new Error('service_secrets.reservation_pepper is missing: run the migrations');
    return row.value;
  };
  return async (kind, value) => {
    pepper ??= loadPepper().catch((err) => {
      pepper = undefined;
      throw err;
    });
    return `${kind}-${createHmac('sha256', await pepper)
      .update(value, 'utf8')
      .digest('hex')}`;
  };
}

/**
 * A halted ledger projector raises LEDGER_INVARIANT_BROKEN (API-RULES.md §3, §6), once per place
 * it halted at (every process that meets the same break, before or after a restart, names the
 * same alert).
 */
function raiseLedgerAlert(
  store: EventStore,
  at: { tx: bigint; pos: bigint },
  reason: string,
): Promise<void> {
  return raiseProjectorAlert(store, {
    type: 'LEDGER_INVARIANT_BROKEN',
    message: 'The ledger projector halted: an invariant of the postings broke.',
    actorUserId: null,
    payload: { projector: 'ledger', checkpoint: `${at.tx}:${at.pos}`, reason },
    cause: `projector-halt\nledger\n${at.tx}:${at.pos}`,
  });
}

/**
 * A projector that parked an event raises PROJECTION_EVENT_PARKED, once per projector and event.
 * Not for an event that is itself such an alert: a projector that cannot apply alerts would
 * otherwise raise one alert per alert, without end (its parked list and /health still show it).
 */
function raiseParkedAlert(
  store: EventStore,
  projector: string,
  parked: ParkedEvent,
): Promise<void> {
  const { event, reason } = parked;
  const data = event.data as { type?: unknown } | null;
  if (event.type === 'alert.raised.v1' && data?.type === 'PROJECTION_EVENT_PARKED')
    return Promise.resolve();
  return raiseProjectorAlert(store, {
    type: 'PROJECTION_EVENT_PARKED',
    message: `The ${projector} projector could not apply an event and parked it; its read model lacks it until it is replayed.`,
    actorUserId: null,
    payload: {
      projector,
      event_id: event.id,
      stream_id: event.streamId,
      revision: event.revision.toString(),
      event_type: event.type,
      reason,
    },
    cause: `projector-park\n${projector}\n${event.id}`,
  });
}

async function raiseProjectorAlert(store: EventStore, input: AlertInput): Promise<void> {
  const append = alertAppend(input, systemAppendMetadata('system:projector'));
  try {
    await store.appendMulti([append]);
  } catch (err) {
    // Already raised (by this process before a crash, or by another runner): nothing to add.
    if (!(err instanceof WrongExpectedRevisionError)) throw err;
  }
}
