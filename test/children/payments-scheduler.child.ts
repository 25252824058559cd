/**
 * Child process of the payment recovery failover test: opens the platform on the test database
 * (DATABASE_URL), runs the projections inline (the recovery job's to-do list is the `payments`
 * read model), registers the real escrow jobs (`registerEscrowJobs`) on a scheduler with a short
 * tick, and reports on stdout, one line each: `started <pid>`, its leadership (`leader <pid>`,
 * `follower <pid>`), every PSP transfer it asks for (`psp transfer <idempotency key>`), and every
 * job outcome (`job <name> <outcome>` or `job <name> failed <error>`). Killed with SIGKILL by
 * the test; SIGTERM stops it cleanly.
 */
import { writeSync } from 'node:fs';
import { loadConfig } from '@kob/config';
import { registerEscrowJobs } from '../../apps/api/src/jobs';
import { createPaymentServices } from '../../apps/api/src/payments/shared';
import {
  type JobContext,
  type ScheduledJob,
  Scheduler,
  createLogger,
  openPlatform,
} from '@kob/platform';
import { allProjectors } from '@kob/projections';

/** Synchronous, so a line is in the pipe before the next step (and before any SIGKILL). */
const say = (line: string) => writeSync(1, `${line}\n`);

async function main(): Promise<void> {
  const config = loadConfig({ ...process.env, APP_ENV: 'test' });
  const platform = await openPlatform(config, createLogger('silent'), {
    embedded: 'own',
    projectors: allProjectors,
    migrate: false,
    poolMax: 5,
  });
  const transfer = platform.psp.transfer.bind(platform.psp);
  platform.psp.transfer = (request) => {
    say(`psp transfer ${request.idempotencyKey}`);
    return transfer(request);
  };
  await platform.projections.init();
  platform.projections.start();
  const services = createPaymentServices(platform);
  const scheduler = new Scheduler(platform.pool, [], {
    enabled: true,
    tickMs: Number(process.env.SCHEDULER_TICK_MS ?? '50'),
    onLeadership: (leader) => say(`${leader ? 'leader' : 'follower'} ${process.pid}`),
  });
  // The real jobs, registered by the real function, on this scheduler; each run is reported.
  const reporting = {
    register(job: ScheduledJob) {
      scheduler.register({
        name: job.name,
        intervalMs: job.intervalMs,
        async run(ctx: JobContext) {
          try {
            const outcome = await job.run(ctx);
            say(`job ${job.name} ${outcome}`);
            return outcome;
          } catch (err) {
            say(`job ${job.name} failed ${(err as Error).message}`);
            throw err;
          }
        },
      });
    },
  } as unknown as Scheduler;
  registerEscrowJobs({ ...platform, scheduler: reporting }, services);
  scheduler.start();
  say(`started ${process.pid}`);
  process.on('SIGTERM', () => {
    void scheduler
      .stop()
      .then(() => platform.close())
      .then(() => process.exit(0));
  });
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
