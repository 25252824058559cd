/**
 * The `escrow-deadlines` job (actor `system:scheduler`): runs `check-deadline` on escrows whose
 * deadline passed, one bounded batch per run. The read model is only the to-do list: each escrow
 * is decided again on its stream.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { sql } from 'kysely';
import { type JobContext, Scheduler, describeCounts, eachItem } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import {
  APP_CONFIG,
  type AppConfig,
  READ_MODELS,
  type ReadModelsDb,
} from '../../platform/platform.providers';
import { type Dispatcher, CommandJob } from '../command-job';
import { escrowJobLimits } from '../job-limits';
import { EscrowDeadlineDueCommand } from './escrow-deadline.command';

@Injectable()
@Dispatches(EscrowDeadlineDueCommand)
export class EscrowDeadlinesJob extends CommandJob {
  readonly name = 'escrow-deadlines';
  readonly intervalMs: number;

  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CommandBus) commands: Dispatcher,
    @Inject(Scheduler) scheduler?: Pick<Scheduler, 'register'>,
  ) {
    super(commands, scheduler);
    this.intervalMs = config.schedulerDeadlineIntervalMs;
  }

  async run({ now }: JobContext): Promise<string> {
    const due = await this.db
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
