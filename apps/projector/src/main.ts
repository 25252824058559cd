/**
 * The projector worker (PROJECTIONS_MODE=worker): runs the projections outside the API. Start as
 * many as you like; each projector is active in exactly one of them (advisory lock), the others
 * stand by. Needs DATABASE_URL, or joins the embedded PostgreSQL of an API running on DATA_DIR.
 * Reads `$all` from the configured store (EVENT_STORE: PostgreSQL, or EventStoreDB); the read
 * models, checkpoints and the advisory locks are PostgreSQL's either way.
 *
 * SIGTERM or SIGINT stops it gracefully: the batch in flight commits with its checkpoint, no other
 * starts, the locks are released (a standby takes over at its next try), the database closes, and
 * the process exits 0. The handlers are installed before anything starts: a signal while starting
 * stops the worker as soon as it has started, rather than killing it half-way.
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@kob/config';
import {
  compactHeapAfterStart,
  createLogger,
  openPlatform,
  ProjectorWorker,
  startTracing,
  stopTracing,
} from '@kob/platform';
import { allProjectors } from '@kob/projections';
import type { Logger } from 'pino';

/** Resolves with the first SIGTERM or SIGINT (logged when it arrives); later ones are ignored. */
function stopSignal(logger: Logger): Promise<string> {
  return new Promise((resolve) => {
    let received = false;
    const on = (signal: string) => {
      if (received) return;
      received = true;
      logger.info({ signal }, 'stopping');
      resolve(signal);
    };
    process.on('SIGINT', () => on('SIGINT'));
    process.on('SIGTERM', () => on('SIGTERM'));
  });
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, { apiKeys: false }); // projects events, handles no API keys
  const logger = createLogger(config.logLevel).child({ process: 'projector' });
  const signal = stopSignal(logger);
  await startTracing('kobatela-projector');
  const platform = await openPlatform(config, logger, {
    embedded: 'shared',
    projectors: allProjectors,
    poolMax: 5,
    // Woken by the API's appends at once (LISTEN/NOTIFY on PostgreSQL), not at its next poll.
    listenForAppends: true,
    // Reads $all only: either store (EVENT_STORE) serves it; checkpoints stay in PostgreSQL.
  });
  const worker = new ProjectorWorker(platform.pool, platform.projections, allProjectors, {
    log: (msg, extra) => logger.info(extra ?? {}, msg),
  });
  try {
    await platform.projections.init();
    compactHeapAfterStart(config.compactHeapAtStart, logger);
    await worker.start();
    logger.info(
      { projectors: allProjectors.map((p) => p.name), eventStore: platform.store.name },
      'projector worker started',
    );
    await signal;
    // In this order: the locks go only once the batch in flight has committed.
    await worker.stop();
  } finally {
    await platform.close();
    await stopTracing();
  }
  logger.info('stopped');
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(
    `kobatela projector: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`,
  );
  process.exit(1);
});
