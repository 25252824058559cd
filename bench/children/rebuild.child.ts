/**
 * Rebuilds every read model from the start of `$all` (DATABASE_URL) as `kobatela rebuild all`
 * does (one pass over history, every projector per batch), and prints one JSON line: the events
 * applied, the wall time, and this process's peak resident memory (to show the rebuild runs in
 * constant memory whatever the number of events).
 */
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '@kob/config';
import { createLogger, openPlatform } from '@kob/platform';
import { allProjectors } from '@kob/projections';

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config, createLogger('warn'), {
    embedded: 'shared',
    projectors: allProjectors,
    poolMax: 6,
    migrate: false,
  });
  try {
    await platform.projections.init({ rebuildOutdated: false });
    const started = performance.now();
    const events = await platform.projections.rebuildAll(allProjectors);
    const elapsedMs = performance.now() - started;
    process.stdout.write(
      `${JSON.stringify({ elapsedMs, events, projectors: allProjectors.length, peakRssMb: await peakRssMb() })}\n`,
    );
  } finally {
    await platform.close();
  }
}

main().catch((err) => {
  process.stderr.write(`rebuild failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
