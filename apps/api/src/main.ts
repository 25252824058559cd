/**
 * The API process: configuration, the database (embedded PostgreSQL under DATA_DIR when no
 * DATABASE_URL), migrations, inline projections, HTTP. Ctrl-C (SIGINT) or SIGTERM closes the
 * HTTP server, stops the projection runner, then stops PostgreSQL.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '../../../libs/config/src';
import { EmbeddedPostgresError } from '../../../libs/postgres/src';
import { createLogger, openPlatform, safeConfigSummary } from '../../../libs/platform/src';
import { allProjectors } from '../../../projections';
import { buildApp } from './app';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  logger.info(safeConfigSummary(config), 'starting');
  const platform = await openPlatform(config, logger, {
    embedded: 'own',
    projectors: allProjectors,
    crashAfterAppend: config.appEnv === 'test' && process.env.KOBATELA_TEST_CRASH_AFTER_APPEND === '1',
  });
  await platform.projections.init();
  if (config.projectionsMode === 'inline') platform.projections.start();
  const { app } = await buildApp(platform, logger);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 30_000);
    force.unref();
    await app.close().catch((err) => logger.error({ err }, 'closing HTTP failed'));
    await platform.close().catch((err) => logger.error({ err }, 'closing the platform failed'));
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ port, projectionsMode: config.projectionsMode }, 'listening');
}

main().catch((err) => {
  const message = err instanceof EmbeddedPostgresError || err instanceof ConfigError ? err.message : (err as Error).stack;
  process.stderr.write(`kobatela: could not start: ${message}\n`);
  process.exit(1);
});
