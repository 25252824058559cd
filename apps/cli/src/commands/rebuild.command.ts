/**
 * `rebuild <projector>|all`: rebuild one read model, or all of them in one pass over `$all`, from
 * the start into fresh tables, then switch. Progress (events applied) on stderr.
 */
import type { Platform } from '@kob/platform';
import { allProjectors } from '@kob/projections';
import { type CliCommand, type CommandArgs, UsageError } from '../cli-command';
import { out, outJson } from '../output';
import { startProgress } from '../progress';
import { knownProjector } from './parked.command';

/** About how many events `$all` holds: its newest position's sequence number (null if unknown). */
export async function eventCountEstimate(platform: Platform): Promise<number | null> {
  const head = await platform.store.headPosition();
  return head ? Number(head.pos) : null;
}

async function rebuild(platform: Platform, args: CommandArgs): Promise<number> {
  const name = args.positionals[0];
  if (name === undefined) throw new UsageError('rebuild needs a projector or all', 'rebuild');
  const projectors = name === 'all' ? allProjectors : [knownProjector(name, 'rebuild')];
  await platform.projections.init({ rebuildOutdated: false });
  const task = `rebuild ${name}`;
  const progress = startProgress(task, 'events', await eventCountEstimate(platform), args);
  const onProgress = (n: number) => progress.update(n);
  const applied =
    name === 'all'
      ? await platform.projections.rebuildAll(allProjectors, onProgress)
      : await platform.projections.rebuild(projectors[0]!, onProgress);
  progress.stop();
  if (args.json) outJson({ rebuilt: projectors.map((p) => p.name), events: applied });
  else if (name === 'all') out(`rebuilt ${projectors.length} read models from ${applied} events`);
  else out(`rebuilt ${name} from ${applied} events`);
  return 0;
}

export const rebuildCommand: CliCommand = {
  name: 'rebuild',
  usage: [
    `rebuild <projector>|all     rebuild one read model (${allProjectors.map((p) => p.name).join(', ')}), or all in one pass`,
  ],
  details:
    'Rebuilds into fresh tables from the start of $all, then switches them in; the service keeps\n' +
    'answering from the old tables meanwhile. Progress (events applied) on stderr.',
  options: {},
  positionalsMax: 1,
  run: rebuild,
};
