/**
 * The scheduler's jobs outside the Nest application (tests, child processes): the same job
 * classes, dispatching to their handlers directly instead of through the CommandBus.
 */
import type { Platform, ScheduledJob } from '@kob/platform';
import type { PaymentServices } from '../payments/shared';
import { directDispatcher } from './command-job';
import { EscrowDeadlineDueCommand } from './escrow-deadlines/escrow-deadline.command';
import { EscrowDeadlineDueHandler } from './escrow-deadlines/escrow-deadline.handler';
import { EscrowDeadlinesJob } from './escrow-deadlines/escrow-deadlines.job';
import { ExpireDueMandateCommand } from './mandate-expiry/expire-mandate.command';
import { ExpireDueMandateHandler } from './mandate-expiry/expire-mandate.handler';
import { MandateExpiryJob } from './mandate-expiry/mandate-expiry.job';
import {
  FinishPspWebhookCommand,
  RecoverDepositCommand,
  SendPendingPaymentCommand,
} from './payment-recovery/payment-recovery.commands';
import {
  FinishPspWebhookHandler,
  RecoverDepositHandler,
  SendPendingPaymentHandler,
} from './payment-recovery/payment-recovery.handlers';
import { PaymentRecoveryJob } from './payment-recovery/payment-recovery.job';

export { escrowJobLimits } from './job-limits';

export function paymentRecoveryJob(platform: Platform, services: PaymentServices): ScheduledJob {
  const dispatcher = directDispatcher([
    [SendPendingPaymentCommand, new SendPendingPaymentHandler(services)],
    [RecoverDepositCommand, new RecoverDepositHandler(services)],
    [FinishPspWebhookCommand, new FinishPspWebhookHandler(services, platform.commands)],
  ]);
  return new PaymentRecoveryJob(platform, dispatcher);
}

export function deadlineJob(platform: Platform, services: PaymentServices): ScheduledJob {
  const dispatcher = directDispatcher([
    [EscrowDeadlineDueCommand, new EscrowDeadlineDueHandler(services)],
  ]);
  return new EscrowDeadlinesJob(platform, dispatcher);
}

export function mandateExpiryJob(platform: Platform): ScheduledJob {
  const dispatcher = directDispatcher([
    [ExpireDueMandateCommand, new ExpireDueMandateHandler(platform)],
  ]);
  return new MandateExpiryJob(platform, dispatcher);
}

/** Registers the money jobs on the platform's scheduler (before it starts). */
export function registerEscrowJobs(platform: Platform, services: PaymentServices): void {
  platform.scheduler.register(paymentRecoveryJob(platform, services));
  platform.scheduler.register(deadlineJob(platform, services));
}

/** Registers the mandate jobs on the platform's scheduler (before it starts). */
export function registerMandateJobs(platform: Platform): void {
  platform.scheduler.register(mandateExpiryJob(platform));
}
