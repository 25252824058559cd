/**
 * The `multi-stream-recovery` job, on EventStoreDB only (which has no multi-stream
 * transaction): it runs the recovery of multi-stream appends (libs/event-store/src/eventstoredb/
 * multi-stream-recovery.ts) from where its last run stopped, kept in PostgreSQL
 * (`job_checkpoints`) so that a new leader goes on from there. A claim whose aggregate never
 * followed is released; a consequence its aggregate names but its stream lacks is written.
 * Each repair is itself an event (a release naming the claim it compensates, the consequence
 * with its own ids), so the job keeps no other record and raises no alert.
 */
import { type Position, comparePositions, recoverMultiStreamAppends } from '@kob/event-store';
import type { Platform } from '../platform';
import type { JobContext, ScheduledJob } from './scheduler';

export const MULTI_STREAM_RECOVERY_JOB = 'multi-stream-recovery';

export function multiStreamRecoveryJob(
  platform: Pick<Platform, 'db' | 'store' | 'config'>,
): ScheduledJob {
  return {
    name: MULTI_STREAM_RECOVERY_JOB,
    intervalMs: platform.config.schedulerMultiStreamRecoveryIntervalMs,
    async run({ now }: JobContext) {
      const from = await checkpointOf(platform);
      const report = await recoverMultiStreamAppends(platform.store, { fromPosition: from, now });
      if (report.position && (!from || comparePositions(report.position, from) > 0)) {
        await saveCheckpoint(platform, report.position);
      }
      return (
        `scanned ${report.scanned} events: released ${report.released.length} orphaned claims, ` +
        `wrote ${report.followed.length} consequences, ${report.superseded.length} superseded`
      );
    },
  };
}

async function checkpointOf(platform: Pick<Platform, 'db'>): Promise<Position | null> {
  const row = await platform.db
    .selectFrom('job_checkpoints')
    .select(['position_tx', 'position_pos'])
    .where('name', '=', MULTI_STREAM_RECOVERY_JOB)
    .executeTakeFirst();
  return row ? { tx: BigInt(row.position_tx), pos: BigInt(row.position_pos) } : null;
}

async function saveCheckpoint(platform: Pick<Platform, 'db'>, at: Position): Promise<void> {
  const values = { position_tx: at.tx.toString(), position_pos: at.pos.toString() };
  await platform.db
    .insertInto('job_checkpoints')
    .values({ name: MULTI_STREAM_RECOVERY_JOB, ...values })
    .onConflict((oc) => oc.column('name').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}
