/**
 * The `escrow-deadlines` job (actor `system:scheduler`): runs `check-deadline` on escrows whose
 * deadline passed, one bounded batch per run. The read model is only the to-do list: each escrow
 * is decided again on its stream.
 */
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { ItemCommandJob } from '../command-job';
import { escrowJobLimits } from '../job-limits';
import { EscrowDeadlineDueCommand } from './escrow-deadline.command';

@Injectable()
export class EscrowDeadlinesJob extends ItemCommandJob({
  name: 'escrow-deadlines',
  intervalMs: (config) => config.schedulerDeadlineIntervalMs,
  command: EscrowDeadlineDueCommand,
  counted: 'escrows',
}) {
  protected due(now: Date) {
    return (
      this.platform.db
        .selectFrom('escrows')
        .select('id')
        .where('status', 'in', ['DRAFT', 'FUNDED', 'RELEASABLE'])
        .where('deadline_at', '<=', now)
        // An escrow told to do nothing at its deadline stays as it is: not work to redo each run.
        .where((eb) =>
          eb.or([
            eb('status', '=', 'DRAFT'),
            sql<boolean>`release_conditions->>'on_deadline' <> 'none'`,
          ]),
        )
        .orderBy('deadline_at')
        .limit(escrowJobLimits.deadlineBatchMax)
        .execute()
    );
  }
}
