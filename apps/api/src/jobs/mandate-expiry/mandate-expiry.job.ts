/**
 * The `mandate-expiry` job (SCHEDULER_MANDATE_EXPIRY_INTERVAL_MS): expires ACTIVE mandates past
 * `expires_at`, one bounded batch per run. The read model is only the to-do list. One failing
 * mandate does not stop the others; the run reports them all.
 */
import { Injectable } from '@nestjs/common';
import { MandateServices } from '../../mandates/shared';
import { ItemCommandJob } from '../command-job';
import { ExpireDueMandateCommand } from './expire-mandate.command';

@Injectable()
export class MandateExpiryJob extends ItemCommandJob({
  name: 'mandate-expiry',
  intervalMs: (config) => config.schedulerMandateExpiryIntervalMs,
  command: ExpireDueMandateCommand,
  counted: 'mandates',
}) {
  protected due(now: Date) {
    return new MandateServices(this.platform).dueMandates(now);
  }
}
