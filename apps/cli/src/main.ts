/**
 * Auditor and operator CLI.
 *   migrate                      apply pending migrations
 *   verify --stream S | --all    check hash chains; exits 1 naming the stream and revision of
 *                                the first break (2 on bad usage)
 *   status                       projectors and their checkpoints
 *   rebuild <projector>|all      rebuild a read model (or all, in one pass) from the start, then switch
 *   parked [<projector>]         events projectors parked (could not apply), not replayed yet
 *   parked replay <projector> [--event <id>]
 *                                apply them again once the projector is fixed; exits 1 if any
 *                                still fails
 * Uses DATABASE_URL, else the embedded PostgreSQL of DATA_DIR (joining a running API's server),
 * as the service role; `migrate` runs as the owner role (DATABASE_OWNER_URL, or the embedded
 * server's owner login from DATA_DIR/connection.json).
 */
import 'reflect-metadata';
import { ConfigError, loadConfig } from '@kob/config';
import { encodePosition, verifyChain } from '@kob/event-store';
import { limits } from '@kob/kernel';
import { createLogger, openPlatform, type Platform } from '@kob/platform';
import { migrationStatus } from '@kob/postgres';
import { allProjectors } from '@kob/projections';

const USAGE = `usage: kobatela <command>
  migrate                     apply pending migrations
  verify --stream <id>        verify one stream's hash chain
  verify --all                verify every stream
  status                      projectors and their checkpoints
  rebuild <projector>|all     rebuild one read model (${allProjectors.map((p) => p.name).join(', ')}), or all in one pass
  parked [<projector>]        events a projector parked (could not apply) and not replayed yet
  parked replay <projector> [--event <id>]
                              apply the parked events again (after the projector is fixed)`;

class UsageError extends Error {}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function verifyStream(
  platform: Platform,
  streamId: string,
): Promise<{ ok: boolean; events: number }> {
  const events = await platform.store.readStream(streamId);
  if (events.length === 0) {
    out(`MISSING stream=${streamId}: no events`);
    return { ok: false, events: 0 };
  }
  const verdict = verifyChain(events);
  const head = await platform.store.streamHead(streamId);
  if (!verdict.valid) {
    out(`BROKEN stream=${streamId} revision=${verdict.firstBadRevision}: ${verdict.reason}`);
    return { ok: false, events: events.length };
  }
  if (
    !head ||
    head.revision !== events[events.length - 1]!.revision ||
    head.headHash !== verdict.headHash
  ) {
    out(
      `BROKEN stream=${streamId} revision=${head?.revision ?? 'none'}: the stream head does not match its last event`,
    );
    return { ok: false, events: events.length };
  }
  return { ok: true, events: events.length };
}

async function verify(platform: Platform, args: string[]): Promise<number> {
  if (args[0] === '--stream' && args[1]) {
    const r = await verifyStream(platform, args[1]);
    if (r.ok) out(`OK stream=${args[1]} events=${r.events}`);
    return r.ok ? 0 : 1;
  }
  if (args[0] !== '--all') throw new UsageError('verify needs --stream <id> or --all');
  let streams = 0;
  let events = 0;
  let broken = 0;
  let after: string | undefined;
  for (let page = 0; page < Number.MAX_SAFE_INTEGER; page++) {
    const ids = await platform.store.listStreams({
      ...(after ? { after } : {}),
      maxCount: limits.readStreamPageMax,
    });
    if (ids.length === 0) break;
    for (const id of ids) {
      const r = await verifyStream(platform, id);
      streams += 1;
      events += r.events;
      if (!r.ok) broken += 1;
    }
    after = ids[ids.length - 1];
  }
  out(
    `verified ${streams} streams, ${events} events: ${broken === 0 ? 'all chains valid' : `${broken} broken`}`,
  );
  return broken === 0 ? 0 : 1;
}

/** `parked [<projector>]` lists; `parked replay <projector> [--event <id>]` applies again. */
async function parked(platform: Platform, args: string[]): Promise<number> {
  const known = (name: string | undefined) => {
    const projector = allProjectors.find((p) => p.name === name);
    if (!projector) throw new UsageError(`unknown projector ${name ?? ''}`);
    return projector;
  };
  if (args[0] !== 'replay') {
    if (args.length > 1) throw new UsageError('parked takes at most one projector');
    const rows = await platform.projections.parkedEvents(
      args[0] ? { projector: known(args[0]).name } : {},
    );
    for (const r of rows) {
      out(
        `${r.projector} event=${r.eventId} stream=${r.streamId} revision=${r.revision} type=${r.type} ` +
          `position=${encodePosition(r.position)} attempts=${r.attempts} parked_at=${r.parkedAt.toISOString()} reason=${r.error}`,
      );
    }
    out(`${rows.length} parked event(s)`);
    return 0;
  }
  const projector = known(args[1]);
  const rest = args.slice(2);
  if (rest.length > 0 && (rest[0] !== '--event' || !rest[1] || rest.length > 2))
    throw new UsageError('parked replay <projector> [--event <id>]');
  await platform.projections.init({ rebuildOutdated: false });
  const result = await platform.projections.replayParked(
    projector,
    rest[1] ? { eventId: rest[1] } : {},
  );
  for (const id of result.replayed) out(`REPLAYED ${projector.name} event=${id}`);
  for (const f of result.failed)
    out(`STILL FAILING ${projector.name} event=${f.event.id}: ${f.reason}`);
  out(`replayed ${result.replayed.length}, still parked ${result.failed.length}`);
  if (result.replayed.length > 0) {
    // A replayed event lands on today's read model: later events of its stream may have missed it.
    out(
      `note: if ${projector.name}'s rows depend on event order, rebuild it (kobatela rebuild ${projector.name}) to be sure`,
    );
  }
  return result.failed.length === 0 ? 0 : 1;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || !['migrate', 'verify', 'status', 'rebuild', 'parked'].includes(command))
    throw new UsageError('unknown command');
  // The CLI handles no API keys: it needs no API_KEY_SECRET, so it also runs next to a
  // development server (`npm start`) whatever APP_ENV says.
  const config = loadConfig(process.env, { apiKeys: false });
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn').child({ process: 'cli' });
  const platform = await openPlatform(config, logger, {
    embedded: 'shared',
    projectors: allProjectors,
    poolMax: 6,
    migrate: command === 'migrate',
  });
  try {
    switch (command) {
      case 'migrate': {
        const status = await migrationStatus(platform.db);
        out(`migrations: ${status.applied} applied, ${status.pending.length} pending`);
        return status.pending.length === 0 ? 0 : 1;
      }
      case 'verify':
        return await verify(platform, args);
      case 'status': {
        await platform.projections.init({ rebuildOutdated: false });
        for (const s of await platform.projections.status()) {
          const parked = s.parked > 0 ? ` parked=${s.parked}` : '';
          out(
            `${s.name} v${s.version} ${s.status} checkpoint=${encodePosition(s.checkpoint)} applied=${s.eventsApplied}${parked}${s.haltedReason ? ` reason=${s.haltedReason}` : ''}`,
          );
        }
        return 0;
      }
      case 'rebuild': {
        if (args[0] === 'all') {
          await platform.projections.init({ rebuildOutdated: false });
          const applied = await platform.projections.rebuildAll(allProjectors, (n) =>
            process.stderr.write(`\rrebuilding all: ${n} events`),
          );
          process.stderr.write('\n');
          out(`rebuilt ${allProjectors.length} read models from ${applied} events`);
          return 0;
        }
        const projector = allProjectors.find((p) => p.name === args[0]);
        if (!projector) throw new UsageError(`unknown projector ${args[0] ?? ''}`);
        await platform.projections.init({ rebuildOutdated: false });
        const applied = await platform.projections.rebuild(projector, (n) => {
          if (n % 10_000 < limits.projectionBatchSizeMax)
            process.stderr.write(`\rrebuilding ${projector.name}: ${n} events`);
        });
        process.stderr.write('\n');
        out(`rebuilt ${projector.name} from ${applied} events`);
        return 0;
      }
      case 'parked':
        return await parked(platform, args);
      default:
        throw new UsageError('unknown command');
    }
  } finally {
    await platform.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `kobatela: ${err instanceof ConfigError ? err.message : (err as Error).stack}\n`,
    );
    process.exit(1);
  },
);
