/**
 * Payments and deposits for queries (`GET /payments/{id}`, `GET /escrows/{id}/payments`) and for
 * the recovery job's to-do list (PENDING payments, deposits left PENDING without a reference).
 * One row per payment and per deposit, moved along the events of its escrow stream; nothing
 * decides about money from here.
 */
import type { Transaction } from 'kysely';
import type { EscrowEvent } from '../../libs/domain/src/escrow/escrow.events';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

async function update(trx: Transaction<any>, id: string, change: Record<string, unknown>, at: string): Promise<void> {
  await trx.updateTable('payments').set({ ...change, updated_at: at }).where('id', '=', id).execute();
}

async function updateDeposit(trx: Transaction<any>, id: string, change: Record<string, unknown>, at: string): Promise<void> {
  await trx.updateTable('deposits').set({ ...change, updated_at: at }).where('id', '=', id).execute();
}

async function applyDeposit(trx: Transaction<any>, e: EscrowEvent): Promise<void> {
  switch (e.type) {
    case 'escrow.deposit_initiated.v1': {
      const d = e.data;
      await trx
        .insertInto('deposits')
        .values({
          id: d.depositId,
          escrow_id: d.escrowId,
          amount: d.amount,
          currency: d.currency,
          status: 'PENDING',
          psp_ref: d.pspRef ?? null,
          beyond_cap: d.beyondCap === true,
          initiated_at: d.initiatedAt,
          updated_at: d.initiatedAt,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    }
    case 'escrow.deposit_confirmed.v1':
      return updateDeposit(trx, e.data.depositId, { status: 'CONFIRMED', psp_ref: e.data.pspRef }, e.data.confirmedAt);
    case 'escrow.deposit_failed.v1':
      return updateDeposit(trx, e.data.depositId, { status: 'FAILED' }, e.data.failedAt);
    case 'escrow.deposit_reference_recorded.v1':
      return updateDeposit(trx, e.data.depositId, { psp_ref: e.data.pspRef }, e.data.recordedAt);
    default:
      return;
  }
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
      if (d.depositId) await updateDeposit(trx, d.depositId, { refund_payment_id: d.paymentId }, d.initiatedAt);
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
      return applyDeposit(trx, e);
  }
}

export const paymentsProjection = {
  name: 'payments',
  version: 2,
  tables: ['payments', 'deposits'],
  async apply(trx: Transaction<any>, events: readonly RecordedEvent[]): Promise<void> {
    for (const recorded of events) {
      if (!recorded.streamId.startsWith('escrow-')) continue;
      await applyOne(trx, recorded as unknown as EscrowEvent);
    }
  },
};
