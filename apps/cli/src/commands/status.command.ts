/** `status`: every projector, its version, state and checkpoint. */
import { encodePosition } from '@kob/event-store';
import type { CliCommand } from '../cli-command';
import { out, outJson } from '../output';

export const statusCommand: CliCommand = {
  name: 'status',
  usage: ['status                      projectors and their checkpoints'],
  details: 'One line per projector: version, state, checkpoint (a position token), events applied.',
  options: {},
  positionalsMax: 0,
  async run(platform, args) {
    await platform.projections.init({ rebuildOutdated: false });
    const all = await platform.projections.status();
    if (args.json) {
      outJson(all.map((s) => ({ ...s, checkpoint: encodePosition(s.checkpoint) })));
      return 0;
    }
    for (const s of all) {
      const parked = s.parked > 0 ? ` parked=${s.parked}` : '';
      out(
        `${s.name} v${s.version} ${s.status} checkpoint=${encodePosition(s.checkpoint)} applied=${s.eventsApplied}${parked}${s.haltedReason ? ` reason=${s.haltedReason}` : ''}`,
      );
    }
    return 0;
  },
};
