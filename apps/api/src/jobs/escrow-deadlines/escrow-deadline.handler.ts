/** An escrow's deadline, as the scheduler sees it pass (actor `system:scheduler`). */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, newId } from '@kob/kernel';
import { systemMetadata } from '@kob/platform';
import type { PaymentServices } from '../../payments/shared';
import { PAYMENTS } from '../../tokens';
import { EscrowDeadlineDueCommand } from './escrow-deadline.command';

@CommandHandler(EscrowDeadlineDueCommand)
export class EscrowDeadlineDueHandler implements ICommandHandler<EscrowDeadlineDueCommand> {
  constructor(@Inject(PAYMENTS) private readonly payments: PaymentServices) {}

  async execute({ escrowId, now }: EscrowDeadlineDueCommand): Promise<string> {
    const meta = systemMetadata('system:scheduler', now);
    const command = {
      type: 'CheckDeadline' as const,
      escrowId,
      idSeed: newId(),
      now: now.toISOString(),
    };
    try {
      return (await this.payments.actions.run(escrowId, command, meta)).state.status;
    } catch (err) {
      // A to-do row behind its stream (the read model lags): the escrow closed meanwhile.
      if (err instanceof DomainError && err.code === 'ESCROW_CLOSED') return 'already closed';
      throw err;
    }
  }
}
