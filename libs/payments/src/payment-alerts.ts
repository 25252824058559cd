/**
 * A payment that fails raises `PAYMENT_FAILED` (API-RULES.md §6) in the same atomic append as its
 * `payment.failed.v1`, so a crash can lose neither; the alert's id is named by the payment, so a
 * payment fails (and alerts) once.
 */
import { alertAppend } from '../../alerts/src';
import type { EscrowEvent, EscrowState, PaymentFailedData } from '../../domain/src';
import type { StreamAppend } from '../../event-store/src';
import { type CommandMetadata, eventMetadataOf } from '../../platform/src';

export async function paymentFailedAlerts(
  events: EscrowEvent[],
  state: EscrowState,
  metadata: CommandMetadata,
): Promise<StreamAppend[]> {
  return events
    .filter((e): e is EscrowEvent & { data: PaymentFailedData } => e.type === 'payment.failed.v1')
    .map((e) =>
      alertAppend(
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
    );
}
