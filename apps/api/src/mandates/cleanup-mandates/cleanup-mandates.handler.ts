/** The expiry cleanup, by bounded rounds (mandates/shared/mandate-services.ts `cleanup`). */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Platform } from '@kob/platform';
import { Committed } from '../../http/committed';
import { PLATFORM } from '../../platform/platform.providers';
import { MandateServices } from '../shared';
import { CleanupMandatesCommand } from './cleanup-mandates.command';

@CommandHandler(CleanupMandatesCommand)
export class CleanupMandatesHandler implements ICommandHandler<CleanupMandatesCommand> {
  private readonly mandates: MandateServices;

  constructor(@Inject(PLATFORM) platform: Platform) {
    this.mandates = new MandateServices(platform);
  }

  async execute({ origin }: CleanupMandatesCommand): Promise<Committed<{ expired: number }>> {
    const result = await this.mandates.cleanup(origin.metadata('optional'));
    return new Committed({ expired: result.expired }, result.position);
  }
}
