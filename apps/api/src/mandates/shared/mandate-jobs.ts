/**
 * The scheduler's `mandate-expiry` job (SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS, actor
 * `system:scheduler`): expires ACTIVE mandates past `expires_at`, one bounded batch per run.
 * The read model is only the to-do list: each mandate is decided again on its stream (a stale
 * row appends nothing) and its slot released in the same append, so a run overlapping a cleanup
 * or another process is harmless. One failing mandate does not stop the others; the run reports
 * them all.
 */
import {
  type Platform,
  type ScheduledJob,
  describeCounts,
  eachItem,
  systemMetadata,
} from '@kob/platform';
import { MandateServices } from './mandate-services';

export function mandateExpiryJob(
  platform: Platform,
  services: MandateServices = new MandateServices(platform),
): ScheduledJob {
  return {
    name: 'mandate-expiry',
    intervalMs: platform.config.schedulerMandateExpiryIntervalMs,
    async run(ctx) {
      const due = await services.dueMandates(ctx.now);
      const counts = await eachItem(
        due,
        (m) => m.id,
        async (m) => {
          const result = await services.expire(
            m.id,
            'scheduler',
            systemMetadata('system:scheduler', ctx.now),
          );
          return result.events.length > 0 ? 'expired' : 'already closed';
        },
      );
      return describeCounts('mandates', counts);
    },
  };
}

/** Registers the mandate jobs on the platform's scheduler (before it starts). */
export function registerMandateJobs(platform: Platform): void {
  platform.scheduler.register(mandateExpiryJob(platform));
}
