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
import { ConfigError, assertApiConfig, loadConfig } from '@kob/config';
import { EmbeddedPostgresError } from '@kob/postgres';
import {
  createLogger,
  eventHorizonJob,
  openPlatform,
  safeConfigSummary,
  startTracing,
  stopTracing,
  type Platform,
} from '@kob/platform';
import { registerMandateJobs } from './mandates/shared';
import { createPaymentServices, registerEscrowJobs } from './payments/shared';
import { allProjectors } from '@kob/projections';
import { buildApp } from './app';

/** A start failure whose message is enough (no stack trace). */
class StartError extends Error {}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    assertApiConfig(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let platform: Platform | undefined;
  let app: NestFastifyApplication | undefined;
  let listening = false;
  let stopSignal: string | null = null;

  const closeAll = async () => {
    await app?.close().catch((err) => logger.error({ err }, 'closing HTTP failed'));
    await platform?.close().catch((err) => logger.error({ err }, 'closing the platform failed'));
    await stopTracing();
  };
  let shuttingDown = false;
  const shutdown = async () => {
    if (shuttingDown) return;
    shuttingDown = true;
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await closeAll();
    logger.info('stopped');
    process.exit(0);
  };
  const onSignal = (signal: string) => {
    if (stopSignal) return;
    stopSignal = signal;
    logger.info({ signal }, 'stopping');
    // While starting, main() notices the signal at its next step and stops what it started.
    if (listening) void shutdown();
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  logger.info(safeConfigSummary(config), 'starting');
  if (await startTracing('kobatela-api')) logger.info('OpenTelemetry tracing started');
  try {
    platform = await openPlatform(config, logger, {
      embedded: 'own',
      projectors: allProjectors,
      crashAfterAppend:
        config.appEnv === 'test' && process.env.KOBATELA_TEST_CRASH_AFTER_APPEND === '1',
    });
    if (stopSignal) return await shutdown();
    if (platform.databaseRole.exposed) {
      logger.warn(
        { role: platform.databaseRole.role, reason: platform.databaseRole.exposed },
        'the service database role can change the events table: set DATABASE_OWNER_URL and give DATABASE_URL a ' +
          'role that owns nothing (README, Database roles)',
      );
    }
    await platform.projections.init();
    if (config.projectionsMode === 'inline') platform.projections.start();
    const payments = createPaymentServices(platform, (msg, extra) => logger.warn(extra, msg));
    registerEscrowJobs(platform, payments);
    registerMandateJobs(platform);
    platform.scheduler.register(eventHorizonJob(platform));
    platform.scheduler.start();
    app = (await buildApp(platform, logger, { payments })).app;
    if (stopSignal) return await shutdown();
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
  } catch (err) {
    await closeAll();
    throw err;
  }
  listening = true;
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, projectionsMode: config.projectionsMode }, 'listening');
  if (stopSignal) await shutdown();
}

main().catch((err) => {
  const known =
    err instanceof EmbeddedPostgresError || err instanceof ConfigError || err instanceof StartError;
  const message = known ? err.message : (err as Error).stack;
  process.stderr.write(`kobatela: could not start: ${message}\n`);
  process.exit(1);
});
