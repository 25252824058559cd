/**
 * Opens what every process of the service needs: the database (DATABASE_URL, or an embedded
 * PostgreSQL under DATA_DIR), migrations, the event store, the command pipeline and the
 * projection runner. The API, the projector worker and the CLI all start through here.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config/src';
import { type AlertInput, alertAppend } from '../../alerts/src/alert-append';
import { PostgresEventStore, WrongExpectedRevisionError, type EventStore } from '../../event-store/src';
import { newId, systemActor } from '../../kernel/src';
import {
  EmbeddedPostgres,
  type PgConnectionConfig,
  createKysely,
  createPool,
  ensureDatabase,
  migrateToLatest,
} from '../../postgres/src';
import { CommandRunner } from './commands/command-runner';
import { Metrics } from './observability/metrics';
import { type ParkedEvent, ProjectionRunner, type Projector } from './projections/projection-runner';
import { Scheduler } from './scheduler/scheduler';
import { PspSimulator } from '../../psp/src';

export const EMBEDDED_DATABASE = 'kobatela';

export interface Platform {
  config: AppConfig;
  pool: Pool;
  db: Kysely<any>;
  store: EventStore;
  commands: CommandRunner;
  projections: ProjectionRunner;
  metrics: Metrics;
  /** The PSP adapter (`PSP_PROVIDER`; the simulator is the only one yet). */
  psp: PspSimulator;
  /** Periodic jobs, run by one process at a time; apps register jobs, main starts it. */
  scheduler: Scheduler;
  embedded: EmbeddedPostgres | null;
  /**
   * The stream id of a uniqueness reservation: `{kind}-{HMAC(pepper, value)}`, with the value
   * normalised by the caller. Stable forever, not reversible by guessing.
   */
  reservationStream(kind: string, value: string): Promise<string>;
  /** Where the database is, for child processes (never logged: it holds a password). */
  connection: string | PgConnectionConfig;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * `own`: this process owns the embedded server (the API); a data dir in use is an error.
   * `shared`: join the embedded server of a running API if there is one (CLI, worker).
   */
  embedded: 'own' | 'shared';
  poolMax?: number;
  migrate?: boolean;
  projectors: readonly Projector[];
  metrics?: Metrics;
  crashAfterAppend?: boolean;
}

const CONNECTION_FILE = 'connection.json';

export async function openPlatform(config: AppConfig, log: Logger, options: OpenOptions): Promise<Platform> {
  let embedded: EmbeddedPostgres | null = null;
  let connection: string | PgConnectionConfig;
  if (config.databaseUrl) {
    connection = config.databaseUrl;
  } else {
    const shared = options.embedded === 'shared' ? runningEmbedded(config.dataDir) : null;
    if (shared) {
      connection = shared;
    } else {
      embedded = new EmbeddedPostgres({
        dataDir: config.dataDir,
        onLog: (line) => log.debug({ postgres: line.trim() }, 'postgres'),
      });
      log.info({ dataDir: config.dataDir }, 'starting embedded PostgreSQL');
      const admin = await embedded.start();
      try {
        await ensureDatabase(admin, EMBEDDED_DATABASE);
        connection = { ...admin, database: EMBEDDED_DATABASE };
        writeFileSync(path.join(config.dataDir, CONNECTION_FILE), JSON.stringify(connection), { mode: 0o600 });
      } catch (err) {
        await embedded.stop();
        throw err;
      }
    }
  }
  const pool = createPool(connection, options.poolMax ?? 20);
  const db = createKysely<any>(pool);
  const closeAll = async () => {
    await db.destroy().catch(() => undefined);
    // Kysely ends the pool only if it ever used it; idle clients would keep the process alive.
    if (!pool.ended) await pool.end().catch(() => undefined);
    if (embedded) {
      rmSync(path.join(config.dataDir, CONNECTION_FILE), { force: true });
      await embedded.stop();
    }
  };
  try {
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (err) {
    await closeAll();
    throw err;
  }
  const metrics = options.metrics ?? new Metrics();
  const store = new PostgresEventStore(pool);
  const commands = new CommandRunner(store, {
    crashAfterAppend: options.crashAfterAppend ?? false,
    onConflictRetry: (streamId) => metrics.conflictRetries.inc({ category: streamId.split('-')[0] ?? '' }),
    onAppendMs: (ms) => metrics.appendDuration.observe(ms / 1000),
    onCommand: (command, outcome) => metrics.commands.inc({ command, outcome }),
  });
  const projections = new ProjectionRunner(store, db, options.projectors, {
    ...(config.projectionBatchSize ? { batchSize: config.projectionBatchSize } : {}),
    onBatch: (name, events, ms) => {
      metrics.projectionBatch.observe({ projector: name }, ms / 1000);
      metrics.projectionEvents.inc({ projector: name }, events);
    },
    log: (msg, extra) => log.error(extra ?? {}, msg),
    onHalt: (name, at, reason) => (name === 'ledger' ? raiseLedgerAlert(store, at, reason) : undefined),
    onPark: (name, parked) => raiseParkedAlert(store, name, parked),
  });
  // The simulator stands for a PSP that outlives this process: with the embedded server its
  // memory of keys is kept beside the data, unless configured elsewhere.
  const journal = config.pspSimulatorJournal ?? (config.databaseUrl ? null : path.join(config.dataDir, 'psp-simulator.jsonl'));
  const psp = new PspSimulator(journal ? { journal } : {});
  const scheduler = new Scheduler(pool, [], {
    enabled: config.schedulerEnabled,
    log: (msg, extra) => log.info(extra ?? {}, msg),
  });
  let pepper: Promise<string> | undefined;
  const loadPepper = async () => {
    const row = await db
      .selectFrom('service_secrets')
      .select('value')
      .where('name', '=', 'reservation_pepper')
      .executeTakeFirst();
    if (!row) throw new Error('service_secrets.reservation_pepper is missing: run the migrations');
    return row.value as string;
  };
  return {
    config,
    pool,
    db,
    reservationStream: async (kind, value) => {
      pepper ??= loadPepper().catch((err) => {
        pepper = undefined;
        throw err;
      });
      return `${kind}-${createHmac('sha256', await pepper).update(value, 'utf8').digest('hex')}`;
    },
    store,
    commands,
    projections,
    metrics,
    psp,
    scheduler,
    embedded,
    connection,
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
 * A halted ledger projector raises LEDGER_INVARIANT_BROKEN (API-RULES.md §3, §6), once per place
 * it halted at (every process that meets the same break, before or after a restart, names the
 * same alert).
 */
function raiseLedgerAlert(store: EventStore, at: { tx: bigint; pos: bigint }, reason: string): Promise<void> {
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
function raiseParkedAlert(store: EventStore, projector: string, parked: ParkedEvent): Promise<void> {
  const { event, reason } = parked;
  const data = event.data as { type?: unknown } | null;
  if (event.type === 'alert.raised.v1' && data?.type === 'PROJECTION_EVENT_PARKED') return Promise.resolve();
  return raiseProjectorAlert(store, {
    type: 'PROJECTION_EVENT_PARKED',
    message: `The ${projector} projector could not apply an event and parked it; its read model lacks it until it is replayed.`,
    actorUserId: null,
    payload: { projector, event_id: event.id, stream_id: event.streamId, revision: event.revision.toString(), event_type: event.type, reason },
    cause: `projector-park\n${projector}\n${event.id}`,
  });
}

async function raiseProjectorAlert(store: EventStore, input: AlertInput): Promise<void> {
  const id = newId();
  const append = alertAppend(input, {
    actor: systemActor('system:projector'),
    commandId: id,
    correlationId: id,
    causationId: id,
    occurredAt: new Date().toISOString(),
  });
  try {
    await store.appendMulti([append]);
  } catch (err) {
    // Already raised (by this process before a crash, or by another runner): nothing to add.
    if (!(err instanceof WrongExpectedRevisionError)) throw err;
  }
}

/** The embedded server a running API started in this DATA_DIR, if it is still alive. */
function runningEmbedded(dataDir: string): PgConnectionConfig | null {
  const file = path.join(dataDir, CONNECTION_FILE);
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(file) || !existsSync(pidFile)) return null;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as PgConnectionConfig;
}
