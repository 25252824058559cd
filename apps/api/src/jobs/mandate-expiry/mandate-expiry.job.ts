/**
 * The `mandate-expiry` job (SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS): expires ACTIVE mandates past
 * `expires_at`, one bounded batch per run. The read model is only the to-do list. One failing
 * mandate does not stop the others; the run reports them all.
 */
import { Injectable } from '@nestjs/common';
import { type JobContext, describeCounts, eachItem } from '@kob/platform';
import { Dispatches } from '../../http/dispatches.decorator';
import { MandateServices } from '../../mandates/shared';
import { CommandJob } from '../command-job';
import { ExpireDueMandateCommand } from './expire-mandate.command';

@Injectable()
@Dispatches(ExpireDueMandateCommand)
export class MandateExpiryJob extends CommandJob {
  get intervalMs(): number {
    return this.platform.config.schedulerMandateExpiryIntervalMs;
  }

  readonly name = 'mandate-expiry';

  async run({ now }: JobContext): Promise<string> {
    const due = await new MandateServices(this.platform).dueMandates(now);
    const counts = await eachItem(
      due,
      (m) => m.id,
      (m) => this.commands.execute(new ExpireDueMandateCommand(m.id, now)),
    );
    return describeCounts('mandates', counts);
  }
}
