/** The handlers of the `payment-recovery` job's commands (payment-recovery.commands.ts). */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { pspWebhookDecider } from '@kob/domain';
import { CommandRunner, systemMetadata } from '@kob/platform';
import type { PaymentServices } from '../../payments/shared';
import { PAYMENTS } from '../../tokens';
import {
  FinishPspWebhookCommand,
  RecoverDepositCommand,
  SendPendingPaymentCommand,
} from './payment-recovery.commands';

@CommandHandler(SendPendingPaymentCommand)
export class SendPendingPaymentHandler implements ICommandHandler<SendPendingPaymentCommand> {
  constructor(@Inject(PAYMENTS) private readonly payments: PaymentServices) {}

  async execute({ escrowId, paymentId, now }: SendPendingPaymentCommand): Promise<string> {
    const metadata = systemMetadata('system:scheduler', now);
    return (await this.payments.sender.send(escrowId, paymentId, metadata)).payment.status;
  }
}

@CommandHandler(RecoverDepositCommand)
export class RecoverDepositHandler implements ICommandHandler<RecoverDepositCommand> {
  constructor(@Inject(PAYMENTS) private readonly payments: PaymentServices) {}

  async execute({ escrowId, depositId, now }: RecoverDepositCommand): Promise<string> {
    const metadata = systemMetadata('system:scheduler', now);
    return (await this.payments.deposits.recover(escrowId, depositId, metadata)).status;
  }
}

@CommandHandler(FinishPspWebhookCommand)
export class FinishPspWebhookHandler implements ICommandHandler<FinishPspWebhookCommand> {
  constructor(
    @Inject(PAYMENTS) private readonly payments: PaymentServices,
    private readonly commands: CommandRunner,
  ) {}

  async execute({ streamId, status, pspRef, now }: FinishPspWebhookCommand): Promise<string> {
    const { webhooks } = this.payments;
    if (status === 'parked' && !(pspRef && (await webhooks.referenceKnown(pspRef))))
      return 'still parked';
    const { state } = await this.commands.read(streamId, pspWebhookDecider);
    const done = await webhooks.process(streamId, state, systemMetadata('psp:webhook', now));
    return done.state.outcome ?? 'received';
  }
}
