/**
 * The money services one process shares: the payment sender, escrow actions that start
 * payments, deposits, and PSP webhooks, wired so that recording a PSP reference applies the
 * webhooks parked for it. The API's controllers and the scheduler's jobs use the same instance.
 */
import type { Platform } from '@kob/platform';
import { DepositService } from './deposits';
import { EscrowActions } from './escrow-actions';
import { PaymentSender } from './payment-sender';
import { PspWebhooks } from './psp-webhooks';

export interface PaymentServices {
  sender: PaymentSender;
  actions: EscrowActions;
  deposits: DepositService;
  webhooks: PspWebhooks;
}

export function createPaymentServices(
  platform: Platform,
  log: (msg: string, extra: Record<string, unknown>) => void = () => undefined,
): PaymentServices {
  let webhooks: PspWebhooks | undefined;
  // Applying parked webhooks is a follow-up: if it fails, the payment or deposit that recorded
  // the reference stands, and the recovery job applies them later.
  const onReferenceRecorded = async (
    pspRef: string,
    metadata: Parameters<PspWebhooks['resumeParked']>[1],
  ) => {
    try {
      await webhooks!.resumeParked(pspRef, metadata);
    } catch (err) {
      log('parked PSP webhooks could not be applied yet; the recovery job will retry', {
        error: (err as Error).message,
      });
    }
  };
  const sender = new PaymentSender(platform, onReferenceRecorded);
  webhooks = new PspWebhooks(platform, sender);
  return {
    sender,
    actions: new EscrowActions(platform, sender),
    deposits: new DepositService(platform, sender, onReferenceRecorded),
    webhooks,
  };
}
