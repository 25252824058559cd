/**
 * The Payments feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { PaymentsController } from './payments.controller';
import { PspWebhookController } from './psp-webhook.controller';

@Module({
  controllers: [PaymentsController, PspWebhookController],
})
export class PaymentsModule {}
