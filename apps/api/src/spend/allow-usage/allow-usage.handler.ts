/**
 * An allowance: whether the owner and the merchant (or category) exist is read from their
 * streams and decided by the allowance decider.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { merchantDecider, usageAllowDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { Committed } from '../../http/committed';
import { userExists } from '../../identity/user-lookup';
import { categoryExists } from '../shared/catalogue-streams';
import { type AllowStatus, AllowUsageCommand } from './allow-usage.command';

@CommandHandler(AllowUsageCommand)
export class AllowUsageHandler implements ICommandHandler<AllowUsageCommand> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ origin, body }: AllowUsageCommand): Promise<Committed<AllowStatus>> {
    const metadata = origin.metadata('optional');
    const ownerId = body.owner_id.toLowerCase();
    const merchantId = body.merchant_id ? body.merchant_id.toLowerCase() : null;
    const categoryId = body.category_id ? body.category_id.toLowerCase() : null;
    const [ownerExists, targetExists] = await Promise.all([
      userExists({ commands: this.commands }, ownerId),
      this.targetExists(merchantId, categoryId),
    ]);
    // The owner's stream is chosen by the body: the key's own reservation (derived id) makes a
    // replay find the first answer and a reuse with another body a 422.
    const result = await this.commands.executeWithDerivedId({
      decider: usageAllowDecider,
      metadata,
      queueOn: 'target',
      targetStream: () => `usage_allow-${ownerId}`,
      command: () => ({
        type: 'AllowUsage' as const,
        ownerId,
        ownerExists,
        merchantId,
        categoryId,
        targetExists,
        now: metadata.now.toISOString(),
      }),
    });
    return new Committed(
      { status: result.events.length > 0 ? 'added' : 'exists' },
      result.position,
    );
  }

  private async targetExists(merchantId: string | null, categoryId: string | null) {
    if (merchantId !== null) {
      const { state } = await this.commands.read(`merchant-${merchantId}`, merchantDecider);
      return state.exists;
    }
    return categoryId !== null ? categoryExists(this.commands, categoryId) : false;
  }
}
