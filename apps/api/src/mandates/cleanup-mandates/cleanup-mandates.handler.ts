/** The expiry cleanup, by bounded rounds (mandates/shared/mandate-services.ts `cleanup`). */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Committed } from '../../http/committed';
import { MandateServices } from '../shared';
import { CleanupMandatesCommand } from './cleanup-mandates.command';

@CommandHandler(CleanupMandatesCommand)
export class CleanupMandatesHandler implements ICommandHandler<CleanupMandatesCommand> {
  constructor(private readonly mandates: MandateServices) {}

  async execute({ origin }: CleanupMandatesCommand): Promise<Committed<{ expired: number }>> {
    const result = await this.mandates.cleanup(origin.metadata('optional'));
    return new Committed({ expired: result.expired }, result.position);
  }
}
