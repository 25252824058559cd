/**
 * The `event-horizon` job (libs/platform/src/scheduler/event-horizon-job.ts): raises
 * EVENT_HORIZON_HELD_BACK when an open transaction holds every projection back too long. Its one
 * command checks the horizon and raises the alert (once per incident).
 */
import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type JobContext, type Platform, eventHorizonJob } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { PLATFORM } from '../../tokens';
import { CommandJob } from '../command-job';

/** Checks who holds the `$all` horizon back; answers what the job reports. */
export class CheckEventHorizonCommand extends Command<string> {
  constructor(readonly now: Date) {
    super();
  }
}

@CommandHandler(CheckEventHorizonCommand)
export class CheckEventHorizonHandler implements ICommandHandler<CheckEventHorizonCommand> {
  constructor(@Inject(PLATFORM) private readonly platform: Platform) {}

  execute({ now }: CheckEventHorizonCommand): Promise<string> {
    return eventHorizonJob(this.platform).run({ now });
  }
}

@Injectable()
@Dispatches(CheckEventHorizonCommand)
export class EventHorizonJob extends CommandJob {
  readonly name = 'event-horizon';

  get intervalMs(): number {
    return this.platform.config.schedulerEventHorizonIntervalMs;
  }

  /** The horizon is PostgreSQL's: with the events in EventStoreDB it holds no reader back. */
  override onApplicationBootstrap(): void {
    if (this.platform.store.name === 'postgresql') super.onApplicationBootstrap();
  }

  run({ now }: JobContext): Promise<string> {
    return this.commands.execute(new CheckEventHorizonCommand(now));
  }
}
