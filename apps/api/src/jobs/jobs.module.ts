/**
 * The scheduler's jobs: each registers itself on the platform's scheduler when the application
 * starts and dispatches its commands through the CommandBus to the handlers listed here.
 */
import { Module } from '@nestjs/common';
import { EscrowDeadlineDueHandler } from './escrow-deadlines/escrow-deadline.handler';
import { EscrowDeadlinesJob } from './escrow-deadlines/escrow-deadlines.job';
import { CheckEventHorizonHandler, EventHorizonJob } from './event-horizon/event-horizon.job';
import { ExpireDueMandateHandler } from './mandate-expiry/expire-mandate.handler';
import { MandateExpiryJob } from './mandate-expiry/mandate-expiry.job';
import {
  MultiStreamRecoveryJob,
  RecoverMultiStreamAppendsHandler,
} from './multi-stream-recovery/multi-stream-recovery.job';
import {
  FinishPspWebhookHandler,
  RecoverDepositHandler,
  SendPendingPaymentHandler,
} from './payment-recovery/payment-recovery.handlers';
import { PaymentRecoveryJob } from './payment-recovery/payment-recovery.job';

@Module({
  providers: [
    PaymentRecoveryJob,
    SendPendingPaymentHandler,
    RecoverDepositHandler,
    FinishPspWebhookHandler,
    EscrowDeadlinesJob,
    EscrowDeadlineDueHandler,
    MandateExpiryJob,
    ExpireDueMandateHandler,
    EventHorizonJob,
    CheckEventHorizonHandler,
    MultiStreamRecoveryJob,
    RecoverMultiStreamAppendsHandler,
  ],
})
export class JobsModule {}
