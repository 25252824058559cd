/**
 * The `escrow-deadlines` job (actor `system:scheduler`): runs `check-deadline` on escrows whose
 * deadline passed, one bounded batch per run. The read model is only the to-do list: each escrow
 * is decided again on its stream.
 */
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { type JobContext, describeCounts, eachItem } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { CommandJob } from '../command-job';
import { escrowJobLimits } from '../job-limits';
import { EscrowDeadlineDueCommand } from './escrow-deadline.command';

@Injectable()
@Dispatches(EscrowDeadlineDueCommand)
export class EscrowDeadlinesJob extends CommandJob {
  get intervalMs(): number {
    return this.platform.config.schedulerDeadlineIntervalMs;
  }

  readonly name = 'escrow-deadlines';

  async run({ now }: JobContext): Promise<string> {
    const due = await this.platform.db
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
      .execute();
    const outcomes = await eachItem(
      due,
      (e) => e.id,
      (e) => this.commands.execute(new EscrowDeadlineDueCommand(e.id, now)),
    );
    return describeCounts('escrows', outcomes);
  }
}
