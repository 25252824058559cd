/**
 * Rebuilds every read model from the start of `$all` (DATABASE_URL), the way `kobatela rebuild`
 * does it one projector at a time, and prints one JSON line: events applied per projector, the
 * wall time, and this process's peak resident memory (to show the rebuild runs in constant
 * memory whatever the number of events).
 */
import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { loadConfig } from '../../libs/config/src';
import { createLogger, openPlatform } from '../../libs/platform/src';
import { allProjectors } from '../../projections';

async function peakRssMb(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await openPlatform(config, createLogger('warn'), { embedded: 'shared', projectors: allProjectors, poolMax: 4, migrate: false });
  try {
    await platform.projections.init({ rebuildOutdated: false });
    const started = performance.now();
    const applied: Record<string, number> = {};
    for (const projector of allProjectors) applied[projector.name] = await platform.projections.rebuild(projector);
    const elapsedMs = performance.now() - started;
    process.stdout.write(`${JSON.stringify({ elapsedMs, applied, peakRssMb: await peakRssMb() })}\n`);
  } finally {
    await platform.close();
  }
}

main().catch((err) => {
  process.stderr.write(`rebuild failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
