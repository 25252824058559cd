/**
 * `parked [<projector>]` lists the events projectors parked (could not apply) and did not replay
 * yet; `parked replay <projector> [--event <id>]` applies them again once the projector is fixed
 * and exits 1 if any still fails.
 */
import { encodePosition } from '@kob/event-store';
import type { Platform } from '@kob/platform';
import { allProjectors } from '@kob/projections';
import { type CliCommand, type CommandArgs, UsageError, stringOption } from '../cli-command';
import { out, outJson } from '../output';

/** The projector named `name`, else bad usage. */
export function knownProjector(name: string | undefined, command: string) {
  const projector = allProjectors.find((p) => p.name === name);
  if (!projector) throw new UsageError(`unknown projector ${name ?? ''}`, command);
  return projector;
}

async function list(platform: Platform, args: CommandArgs): Promise<number> {
  const name = args.positionals[0];
  if (args.positionals.length > 1 || stringOption(args, 'event') !== undefined)
    throw new UsageError('parked takes at most one projector', 'parked');
  const rows = await platform.projections.parkedEvents(
    name ? { projector: knownProjector(name, 'parked').name } : {},
  );
  if (args.json) {
    outJson(rows.map((r) => ({ ...r, position: encodePosition(r.position) })));
    return 0;
  }
  for (const r of rows) {
    out(
      `${r.projector} event=${r.eventId} stream=${r.streamId} revision=${r.revision} type=${r.type} ` +
        `position=${encodePosition(r.position)} attempts=${r.attempts} parked_at=${r.parkedAt.toISOString()} reason=${r.error}`,
    );
  }
  out(`${rows.length} parked event(s)`);
  return 0;
}

async function replay(platform: Platform, args: CommandArgs): Promise<number> {
  if (args.positionals.length > 2)
    throw new UsageError('parked replay <projector> [--event <id>]', 'parked');
  const projector = knownProjector(args.positionals[1], 'parked');
  const eventId = stringOption(args, 'event');
  await platform.projections.init({ rebuildOutdated: false });
  const result = await platform.projections.replayParked(projector, eventId ? { eventId } : {});
  if (args.json) {
    const failed = result.failed.map((f) => ({ event_id: f.event.id, reason: f.reason }));
    outJson({ projector: projector.name, replayed: result.replayed, failed });
    return result.failed.length === 0 ? 0 : 1;
  }
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

export const parkedCommand: CliCommand = {
  name: 'parked',
  usage: [
    'parked [<projector>]        events a projector parked (could not apply) and not replayed yet',
    'parked replay <projector> [--event <id>]',
    '                            apply the parked events again (after the projector is fixed)',
  ],
  details:
    'replay applies them oldest first and exits 1 if any still fails; --event replays only one.',
  options: { event: { type: 'string' } },
  positionalsMax: 2,
  run: (platform, args) =>
    args.positionals[0] === 'replay' ? replay(platform, args) : list(platform, args),
};
