/**
 * The projector worker (PROJECTIONS_MODE=worker): runs the projections outside the API. Start as
 * many as you like; each projector is active in exactly one of them (advisory lock), the others
 * stand by. Needs DATABASE_URL, or joins the embedded PostgreSQL of an API running on DATA_DIR.
 * Reads `$all` from the configured store (EVENT_STORE: PostgreSQL, or EventStoreDB); the read
 * models, checkpoints and the advisory locks are PostgreSQL's either way.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@kob/config';
import {
  createLogger,
  openPlatform,
  ProjectorWorker,
  startTracing,
  stopTracing,
} from '@kob/platform';
import { allProjectors } from '@kob/projections';

async function main(): Promise<void> {
  const config = loadConfig(process.env, { apiKeys: false }); // projects events, handles no API keys
  const logger = createLogger(config.logLevel).child({ process: 'projector' });
  await startTracing('kobatela-projector');
  const platform = await openPlatform(config, logger, {
    embedded: 'shared',
    projectors: allProjectors,
    poolMax: 5,
    // Reads $all only: either store (EVENT_STORE) serves it; checkpoints stay in PostgreSQL.
    eventStoreUse: 'projections',
  });
  await platform.projections.init();
  const worker = new ProjectorWorker(platform.pool, platform.projections, allProjectors, {
    log: (msg, extra) => logger.info(extra ?? {}, msg),
  });
  await worker.start();
  logger.info(
    { projectors: allProjectors.map((p) => p.name), eventStore: platform.store.name },
    'projector worker started',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await worker.stop();
    await platform.close();
    await stopTracing();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(
    `kobatela projector: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`,
  );
  process.exit(1);
});
