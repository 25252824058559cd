/**
 * Alerts of money movements. A payment that fails raises `PAYMENT_FAILED` (API-RULES.md §6) in
 * the same atomic append as its `payment.failed.v1`, so a crash can lose neither; the alert's id
 * is named by the payment, so a payment fails (and alerts) once. A PSP that confirms a deposit at
 * another amount or currency than asked raises `DEPOSIT_AMOUNT_MISMATCH` (issue 12): nothing is
 * credited, a person must look.
 */
import { alertAppend } from '@kob/alerts';
import type { DepositState, EscrowEvent, EscrowState, PaymentFailedData } from '@kob/domain';
import type { AlertInput } from '@kob/alerts';
import type { StreamAppend } from '@kob/event-store';
import { type CommandMetadata, eventMetadataOf } from '@kob/platform';

export async function paymentFailedAlerts(
  events: EscrowEvent[],
  state: EscrowState,
  metadata: CommandMetadata,
): Promise<StreamAppend[]> {
  return events
    .filter((e): e is EscrowEvent & { data: PaymentFailedData } => e.type === 'payment.failed.v1')
    .map((e) => ({
      ...alertAppend(
        {
          type: 'PAYMENT_FAILED',
          message: `A ${e.data.kind} of ${e.data.amount} ${e.data.currency} failed: ${e.data.reason}`,
          actorUserId: e.data.kind === 'refund' ? state.clientId : null,
          payload: {
            escrow_id: e.data.escrowId,
            payment_id: e.data.paymentId,
            kind: e.data.kind,
            amount: e.data.amount,
            currency: e.data.currency,
            milestone_id: e.data.milestoneId,
            reason: e.data.reason,
            after_sent: e.data.afterSent,
          },
          cause: `payment-failed\n${e.data.paymentId}`,
        },
        eventMetadataOf(metadata),
      ),
      // A consequence of the payment's failure (written after it where appends are not atomic).
      step: 'follows' as const,
    }));
}

/** The alert of a deposit confirmation at another amount or currency (once per reported answer). */
export function depositMismatchAlert(
  escrow: EscrowState,
  deposit: DepositState,
  reported: { pspRef: string; amount: string | null; currency: string | null },
): AlertInput {
  return {
    type: 'DEPOSIT_AMOUNT_MISMATCH',
    message:
      `The PSP confirmed deposit ${deposit.depositId} at ${reported.amount ?? 'no amount'} ${reported.currency ?? ''} instead of ${deposit.amount} ${escrow.currency}: nothing was credited.`.replace(
        /\s+/g,
        ' ',
      ),
    actorUserId: escrow.clientId,
    payload: {
      escrow_id: escrow.escrowId,
      deposit_id: deposit.depositId,
      asked_amount: deposit.amount,
      asked_currency: escrow.currency,
      reported_amount: reported.amount,
      reported_currency: reported.currency,
      psp_ref: reported.pspRef,
    },
    cause: `deposit-amount-mismatch\n${deposit.depositId}\n${reported.pspRef}\n${reported.amount ?? ''}\n${reported.currency ?? ''}`,
  };
}
