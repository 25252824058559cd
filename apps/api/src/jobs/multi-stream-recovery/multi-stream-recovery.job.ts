/**
 * The `multi-stream-recovery` job (libs/platform/src/scheduler/multi-stream-recovery-job.ts),
 * registered only when the events are in EventStoreDB: it releases claims whose aggregate never
 * followed and writes the consequences an aggregate named but its writer could not. Its one
 * command runs a round from the job's checkpoint.
 */
import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type JobContext, type Platform, multiStreamRecoveryJob } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { PLATFORM } from '../../tokens';
import { CommandJob } from '../command-job';

/** Repairs the multi-stream appends left half-done; answers what the job reports. */
export class RecoverMultiStreamAppendsCommand extends Command<string> {
  constructor(readonly now: Date) {
    super();
  }
}

@CommandHandler(RecoverMultiStreamAppendsCommand)
export class RecoverMultiStreamAppendsHandler implements ICommandHandler<RecoverMultiStreamAppendsCommand> {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  execute({ now }: RecoverMultiStreamAppendsCommand): Promise<string> {
    return multiStreamRecoveryJob(this.platform).run({ now });
  }
}

@Injectable()
@Dispatches(RecoverMultiStreamAppendsCommand)
export class MultiStreamRecoveryJob extends CommandJob {
  readonly name = 'multi-stream-recovery';

  get intervalMs(): number {
    return this.platform.config.schedulerMultiStreamRecoveryIntervalMs;
  }

  /** Only EventStoreDB leaves multi-stream appends half-done (PostgreSQL commits them at once). */
  override onApplicationBootstrap(): void {
    if (this.platform.store.name === 'eventstoredb') super.onApplicationBootstrap();
  }

  run({ now }: JobContext): Promise<string> {
    return this.commands.execute(new RecoverMultiStreamAppendsCommand(now));
  }
}
