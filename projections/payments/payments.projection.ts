/**
 * Payments for queries (`GET /payments/{id}`, `GET /escrows/{id}/payments`) and for the recovery
 * job's to-do list (PENDING payments). One row per payment, moved along the events of its escrow
 * stream; nothing decides about money from here.
 */
import type { Transaction } from 'kysely';
import type { EscrowEvent } from '../../libs/domain/src/escrow/escrow.events';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

async function update(trx: Transaction<any>, id: string, change: Record<string, unknown>, at: string): Promise<void> {
  await trx.updateTable('payments').set({ ...change, updated_at: at }).where('id', '=', id).execute();
}

async function applyOne(trx: Transaction<any>, e: EscrowEvent): Promise<void> {
  switch (e.type) {
    case 'payment.initiated.v1': {
      const d = e.data;
      await trx
        .insertInto('payments')
        .values({
          id: d.paymentId,
          escrow_id: d.escrowId,
          milestone_id: d.milestoneId,
          kind: d.kind,
          amount: d.amount,
          currency: d.currency,
          status: 'PENDING',
          beneficiary_id: d.beneficiaryId,
          reason: d.reason,
          retry_of: d.retryOf,
          deposit_id: d.depositId,
          initiated_at: d.initiatedAt,
          updated_at: d.initiatedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'payment.sent.v1':
      return update(trx, e.data.paymentId, { status: 'SENT', psp_ref: e.data.pspRef, sent_at: e.data.sentAt }, e.data.sentAt);
    case 'payment.settled.v1':
      return update(trx, e.data.paymentId, { status: 'SETTLED', settled_at: e.data.settledAt }, e.data.settledAt);
    case 'payment.failed.v1':
      return update(
        trx,
        e.data.paymentId,
        { status: 'FAILED', failure_reason: e.data.reason, failed_at: e.data.failedAt },
        e.data.failedAt,
      );
    case 'payment.retried.v1':
      return update(trx, e.data.paymentId, { retried_by: e.data.retryPaymentId }, e.data.retriedAt);
    default:
      return;
  }
}

export const paymentsProjection = {
  name: 'payments',
  version: 1,
  tables: ['payments'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('escrow-') || !recorded.type.startsWith('payment.')) continue;
      await applyOne(trx, recorded as unknown as EscrowEvent);
    }
  },
};
