/**
 * The Payments feature: its controllers, command handlers and query handlers.
 */
import { Module } from '@nestjs/common';
import { ExecutePaymentController } from './execute-payment/execute-payment.controller';
import { ExecutePaymentHandler } from './execute-payment/execute-payment.handler';
import { GetPaymentController } from './get-payment/get-payment.controller';
import { GetPaymentHandler } from './get-payment/get-payment.handler';
import { ListPaymentsController } from './list-payments/list-payments.controller';
import { ListPaymentsHandler } from './list-payments/list-payments.handler';
import { PspWebhookController } from './psp-webhook/psp-webhook.controller';
import { ReceivePspWebhookHandler } from './psp-webhook/psp-webhook.handler';
import { RetryPaymentController } from './retry-payment/retry-payment.controller';
import { RetryPaymentHandler } from './retry-payment/retry-payment.handler';
import { PaymentLookup } from './shared/payment-lookup';

@Module({
  controllers: [
    GetPaymentController,
    ListPaymentsController,
    ExecutePaymentController,
    RetryPaymentController,
    PspWebhookController,
  ],
  providers: [
    PaymentLookup,
    GetPaymentHandler,
    ListPaymentsHandler,
    ExecutePaymentHandler,
    RetryPaymentHandler,
    ReceivePspWebhookHandler,
  ],
})
export class PaymentsModule {}
