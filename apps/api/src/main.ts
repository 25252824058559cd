/**
 * The API process: configuration, the database (embedded PostgreSQL under DATA_DIR when no
 * DATABASE_URL), migrations, inline projections, HTTP. Ctrl-C (SIGINT) or SIGTERM closes the
 * HTTP server, stops the projection runner, then stops PostgreSQL.
 *
 * The signal handlers are installed before anything starts, and a failure after the embedded
 * PostgreSQL started (the port is taken, the app fails to build) stops it again: the process never
 * leaves a server behind that would hold DATA_DIR ("in use by another running instance").
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig, ConfigError, assertApiConfig, loadConfig } from '@kob/config';
import { EmbeddedPostgresError } from '@kob/postgres';
import type { Logger } from 'pino';
import {
  compactHeapAfterStart,
  createLogger,
  openPlatform,
  safeConfigSummary,
  startTracing,
  stopTracing,
  type Platform,
} from '@kob/platform';
import { createPaymentServices } from './payments/shared';
import { allProjectors } from '@kob/projections';
import { buildApp } from './app';

/** A start failure whose message is enough (no stack trace). */
class StartError extends Error {}

function configOrExit(): AppConfig {
  try {
    const config = loadConfig();
    assertApiConfig(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * What the process holds and how it stops: the signal handlers are installed before anything
 * starts; a signal while starting is noticed at the next step (`stopping`), one after `listening`
 * stops at once.
 */
class Lifecycle {
  platform: Platform | undefined;
  app: NestFastifyApplication | undefined;
  listening = false;
  stopSignal: string | null = null;
  private shuttingDown = false;

  constructor(private readonly logger: Logger) {
    process.on('SIGINT', () => this.onSignal('SIGINT'));
    process.on('SIGTERM', () => this.onSignal('SIGTERM'));
  }

  get stopping(): boolean {
    return this.stopSignal !== null;
  }

  async closeAll(): Promise<void> {
    const { logger } = this;
    await this.app?.close().catch((err) => logger.error({ err }, 'closing HTTP failed'));
    await this.platform
      ?.close()
      .catch((err) => logger.error({ err }, 'closing the platform failed'));
    await stopTracing();
  }

  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await this.closeAll();
    this.logger.info('stopped');
    process.exit(0);
  }

  private onSignal(signal: string): void {
    if (this.stopSignal) return;
    this.stopSignal = signal;
    this.logger.info({ signal }, 'stopping');
    // While starting, main() notices the signal at its next step and stops what it started.
    if (this.listening) void this.shutdown();
  }
}

async function openApiPlatform(config: AppConfig, logger: Logger): Promise<Platform> {
  return openPlatform(config, logger, {
    embedded: 'own',
    projectors: allProjectors,
    crashAfterAppend:
      config.appEnv === 'test' && process.env.KOBATELA_TEST_CRASH_AFTER_APPEND === '1',
  });
}

/** Warns about an exposed database role, then starts the projections as configured. */
async function startProjections(platform: Platform, logger: Logger): Promise<void> {
  if (platform.databaseRole.exposed) {
    logger.warn(
      { role: platform.databaseRole.role, reason: platform.databaseRole.exposed },
      'the service database role can change the events table: set DATABASE_OWNER_URL and give DATABASE_URL a ' +
        'role that owns nothing (README, Database roles)',
    );
  }
  if (platform.config.authEmailLogin && platform.config.appEnv !== 'development') {
    logger.warn(
      { app_env: platform.config.appEnv },
      "AUTH_EMAIL_LOGIN is on: anyone who knows a user's email can log in as that user (POST /auth/login takes no " +
        'password); it is meant for development and demos only',
    );
  }
  await platform.projections.init();
  if (platform.config.projectionsMode === 'inline') platform.projections.start();
}

async function listen(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new StartError(
        `cannot listen on ${config.host}:${config.port} (${code}): set PORT (or HOST) to a free ` +
          'port this process may use',
      );
    }
    throw err;
  }
}

/**
 * Opens the platform, builds the app (its jobs register on the scheduler as it starts), starts
 * the scheduler, listens. Answers false when a signal came meanwhile (shutdown has begun).
 */
async function start(life: Lifecycle, config: AppConfig, logger: Logger): Promise<boolean> {
  life.platform = await openApiPlatform(config, logger);
  if (life.stopping) return false;
  await startProjections(life.platform, logger);
  const payments = createPaymentServices(life.platform, (msg, extra) => logger.warn(extra, msg));
  life.app = (await buildApp(life.platform, logger, { payments })).app;
  life.platform.scheduler.start();
  if (life.stopping) return false;
  // Before listening: its pause is never a request's (platform/runtime/compact-heap.ts).
  compactHeapAfterStart(config.compactHeapAtStart, logger);
  await listen(life.app, config);
  return true;
}

async function main(): Promise<void> {
  const config = configOrExit();
  const logger = createLogger(config.logLevel);
  const life = new Lifecycle(logger);
  logger.info(safeConfigSummary(config), 'starting');
  if (await startTracing('kobatela-api')) logger.info('OpenTelemetry tracing started');
  try {
    if (!(await start(life, config, logger))) return await life.shutdown();
  } catch (err) {
    await life.closeAll();
    throw err;
  }
  life.listening = true;
  const address = life.app!.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, projectionsMode: config.projectionsMode }, 'listening');
  if (life.stopping) await life.shutdown();
}

main().catch((err) => {
  const known =
    err instanceof EmbeddedPostgresError || err instanceof ConfigError || err instanceof StartError;
  const message = known ? err.message : (err as Error).stack;
  process.stderr.write(`kobatela: could not start: ${message}\n`);
  process.exit(1);
});
