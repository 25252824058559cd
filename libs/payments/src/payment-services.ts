/**
 * The money services one process shares: the payment sender, escrow actions that start
 * payments, deposits, and PSP webhooks, wired so that recording a PSP reference applies the
 * webhooks parked for it. The API's controllers and the scheduler's jobs use the same instance.
 */
import { pspWebhookDecider } from '../../domain/src';
import type { Platform } from '../../platform/src';
import { DepositService } from './deposits';
import { EscrowActions } from './escrow-actions';
import { PaymentSender } from './payment-sender';
import { PspWebhooks } from './psp-webhooks';

export interface PaymentServices {
  sender: PaymentSender;
  actions: EscrowActions;
  deposits: DepositService;
  webhooks: PspWebhooks;
  webhookDecider: typeof pspWebhookDecider;
}

export function createPaymentServices(platform: Platform): PaymentServices {
  let webhooks: PspWebhooks | undefined;
  const onReferenceRecorded = (pspRef: string, metadata: Parameters<PspWebhooks['resumeParked']>[1]) =>
    webhooks!.resumeParked(pspRef, metadata);
  const sender = new PaymentSender(platform, onReferenceRecorded);
  webhooks = new PspWebhooks(platform, sender);
  return {
    sender,
    actions: new EscrowActions(platform, sender),
    deposits: new DepositService(platform, sender, onReferenceRecorded),
    webhooks,
    webhookDecider: pspWebhookDecider,
  };
}
