/**
 * Child process of the scheduler failover test: a scheduler with one job that records which
 * process ran it (a row per run in `scheduler_probe`). Killed with SIGKILL by the test.
 */
import { createPool } from '@kob/postgres';
import { Scheduler } from '@kob/platform';

async function main(): Promise<void> {
  const pool = createPool(process.env.DATABASE_URL!, 3);
  const scheduler = new Scheduler(
    pool,
    [
      {
        name: 'probe',
        intervalMs: 20,
        async run() {
          await pool.query('INSERT INTO scheduler_probe (pid) VALUES ($1)', [process.pid]);
          return 'recorded';
        },
      },
    ],
    {
      enabled: true,
      tickMs: 20,
      onLeadership: (leader) =>
        process.stdout.write(`${leader ? 'leader' : 'follower'} ${process.pid}\n`),
    },
  );
  scheduler.start();
  process.stdout.write(`started ${process.pid}\n`);
  process.on(
    'SIGTERM',
    () =>
      void scheduler
        .stop()
        .then(() => pool.end())
        .then(() => process.exit(0)),
  );
}

void main();
