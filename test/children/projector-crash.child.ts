/**
 * Child process of the projection crash test: runs the event_stats projector over `$all` in
 * batches of PROJECTION_BATCH_SIZE. With CRASH_AT_EVENT=k it SIGKILLs itself while applying the
 * k-th event it sees (mid-batch, after earlier events of that batch were written in the open
 * transaction), which is the worst moment for an additive read model.
 */
import type { Transaction } from 'kysely';
import { loadConfig } from '@kob/config';
import type { RecordedEvent } from '@kob/event-store';
import { createLogger, openPlatform, type Projector } from '@kob/platform';
import { type ReadModels, eventStatsProjection } from '@kob/projections';

const crashAt = Number(process.env.CRASH_AT_EVENT ?? '0');
let seen = 0;

const crashing: Projector<ReadModels> = {
  ...eventStatsProjection,
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]) {
    for (let i = 0; i < events.length; i++) {
      seen += 1;
      if (crashAt > 0 && seen === crashAt) {
        // Write the part of the batch before event k, then die before the commit.
        await eventStatsProjection.apply(trx, events.slice(0, i));
        process.kill(process.pid, 'SIGKILL');
      }
    }
    await eventStatsProjection.apply(trx, events);
  },
};

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, APP_ENV: 'test' });
  const platform = await openPlatform(config, createLogger('silent'), {
    embedded: 'own',
    projectors: [crashing],
    migrate: false,
  });
  await platform.projections.init();
  const applied = await platform.projections.catchUp();
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
  await platform.close();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
