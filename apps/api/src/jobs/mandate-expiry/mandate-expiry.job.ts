/**
 * The `mandate-expiry` job (SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS): expires ACTIVE mandates past
 * `expires_at`, one bounded batch per run. The read model is only the to-do list. One failing
 * mandate does not stop the others; the run reports them all.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { type JobContext, type Platform, Scheduler, describeCounts, eachItem } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { MandateServices } from '../../mandates/shared';
import { PLATFORM } from '../../tokens';
import { type Dispatcher, CommandJob } from '../command-job';
import { ExpireDueMandateCommand } from './expire-mandate.command';

@Injectable()
@Dispatches(ExpireDueMandateCommand)
export class MandateExpiryJob extends CommandJob {
  readonly name = 'mandate-expiry';
  readonly intervalMs: number;
  private readonly mandates: MandateServices;

  constructor(
    @Inject(PLATFORM) platform: Platform,
    @Inject(CommandBus) commands: Dispatcher,
    @Inject(Scheduler) scheduler?: Pick<Scheduler, 'register'>,
  ) {
    super(commands, scheduler);
    this.intervalMs = platform.config.schedulerMandateExpiryIntervalMs;
    this.mandates = new MandateServices(platform);
  }

  async run({ now }: JobContext): Promise<string> {
    const due = await this.mandates.dueMandates(now);
    const counts = await eachItem(
      due,
      (m) => m.id,
      (m) => this.commands.execute(new ExpireDueMandateCommand(m.id, now)),
    );
    return describeCounts('mandates', counts);
  }
}
