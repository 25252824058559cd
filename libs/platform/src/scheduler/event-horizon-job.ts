/**
 * The `event-horizon` job: an open transaction anywhere in the cluster holds back every `$all`
 * reader (libs/postgres/src/horizon.ts), so every projection stands still behind it. When the
 * transaction that sets the horizon has been open longer than EVENT_HORIZON_HELD_MAX_MS, this job
 * raises EVENT_HORIZON_HELD_BACK naming it (pid, database, role, state, age). The alert's id is
 * name-based on the holder (its pid or prepared gid, and when its transaction started), so one
 * incident raises one alert however often the job runs and whichever process runs it; the next
 * transaction that holds the horizon back is a new incident. `/health` shows the same holder live.
 *
 * A scheduler job rather than the projection runner: the runner cannot tell a held horizon from
 * a quiet one (both read no events), and the job runs in one process only.
 */
import { WrongExpectedRevisionError } from '@kob/event-store';
import { eventHorizonHolder, type HorizonHolder } from '@kob/postgres';
import { alertAppend } from '@kob/alerts';
import { eventMetadataOf } from '../commands/command-runner';
import type { Platform } from '../platform';
import { systemMetadata } from './job-helpers';
import type { JobContext, ScheduledJob } from './scheduler';

/** The holder as `/health` and the alert show it. */
export function describeHolder(holder: HorizonHolder): Record<string, unknown> {
  return {
    kind: holder.kind,
    pid: holder.pid,
    database: holder.database,
    role: holder.role,
    name: holder.name,
    state: holder.state,
    xact_start: holder.startedAt,
    age_ms: holder.ageMs,
  };
}

/** The holder of the `$all` horizon when it has held it longer than the limit, else null. */
export async function horizonHeldBack(
  platform: Pick<Platform, 'db' | 'config'>,
): Promise<HorizonHolder | null> {
  const holder = await eventHorizonHolder(platform.db);
  return holder && holder.ageMs > platform.config.eventHorizonHeldMaxMs ? holder : null;
}

export function eventHorizonJob(platform: Platform): ScheduledJob {
  return {
    name: 'event-horizon',
    intervalMs: platform.config.schedulerEventHorizonIntervalMs,
    async run(ctx: JobContext) {
      const holder = await horizonHeldBack(platform);
      if (!holder) return 'horizon: not held back';
      const who = holder.kind === 'session' ? `pid ${holder.pid}` : `prepared ${holder.name}`;
      const append = alertAppend(
        {
          type: 'EVENT_HORIZON_HELD_BACK',
          message:
            `An open transaction (${who}, database ${holder.database ?? '?'}, ${holder.state ?? 'unknown state'}) has held ` +
            `back every projection for longer than ${platform.config.eventHorizonHeldMaxMs} ms.`,
          actorUserId: null,
          payload: { ...describeHolder(holder), limit_ms: platform.config.eventHorizonHeldMaxMs },
          cause: `event-horizon-held\n${holder.kind}\n${holder.pid ?? holder.name}\n${holder.startedAt}`,
        },
        eventMetadataOf(systemMetadata('system:scheduler', ctx.now)),
      );
      try {
        await platform.store.appendMulti([append]);
        return `horizon: held back by ${who}, alert raised`;
      } catch (err) {
        if (!(err instanceof WrongExpectedRevisionError)) throw err;
        return `horizon: held back by ${who}, already alerted`;
      }
    },
  };
}
