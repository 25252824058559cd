/**
 * A due mandate, expired by the scheduler (actor `system:scheduler`, reason `scheduler`): decided
 * again on its stream (a stale to-do row appends nothing) and its slot released in the same
 * append.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { type Platform, systemMetadata } from '@kob/platform';
import { MandateServices } from '../../mandates/shared';
import { PLATFORM } from '../../tokens';
import { ExpireDueMandateCommand } from './expire-mandate.command';

@CommandHandler(ExpireDueMandateCommand)
export class ExpireDueMandateHandler implements ICommandHandler<ExpireDueMandateCommand> {
  private readonly mandates: MandateServices;

  constructor(@Inject(PLATFORM) platform: Platform) {
    this.mandates = new MandateServices(platform);
  }

  async execute({ mandateId, now }: ExpireDueMandateCommand): Promise<string> {
    const metadata = systemMetadata('system:scheduler', now);
    const result = await this.mandates.expire(mandateId, 'scheduler', metadata);
    return result.events.length > 0 ? 'expired' : 'already closed';
  }
}
