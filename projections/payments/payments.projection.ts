/**
 * Payments and deposits for queries (`GET /payments/{id}`, `GET /escrows/{id}/payments`) and for
 * the recovery job's to-do list (PENDING payments, deposits left PENDING without a reference).
 * One row per payment and per deposit, moved along the events of its escrow stream; nothing
 * decides about money from here.
 */
import type { EscrowEvent } from '@kob/domain';
import { batchProjector, columnsFrom, fromStreams } from '../projector-shell';
import type { RowBatch } from '../row-batch';

function applyDeposit(deposits: RowBatch<'deposits'>, e: EscrowEvent): void {
  switch (e.type) {
    case 'escrow.deposit_initiated.v1': {
      const d = e.data;
      deposits.insert(d.depositId, {
        id: d.depositId,
        ...columnsFrom(d, ['escrowId', 'amount', 'currency']),
        status: 'PENDING',
        psp_ref: d.pspRef ?? null,
        beyond_cap: d.beyondCap === true,
        refund_payment_id: null,
        initiated_at: d.initiatedAt,
        updated_at: d.initiatedAt,
      });
      return;
    }
    case 'escrow.deposit_confirmed.v1':
      return deposits.set(e.data.depositId, {
        status: 'CONFIRMED',
        psp_ref: e.data.pspRef,
        updated_at: e.data.confirmedAt,
      });
    case 'escrow.deposit_failed.v1':
      return deposits.set(e.data.depositId, { status: 'FAILED', updated_at: e.data.failedAt });
    case 'escrow.deposit_reference_recorded.v1':
      return deposits.set(e.data.depositId, {
        psp_ref: e.data.pspRef,
        updated_at: e.data.recordedAt,
      });
    default:
      return;
  }
}

function applyOne(
  payments: RowBatch<'payments'>,
  deposits: RowBatch<'deposits'>,
  e: EscrowEvent,
): void {
  switch (e.type) {
    case 'payment.initiated.v1': {
      const d = e.data;
      payments.insert(d.paymentId, {
        id: d.paymentId,
        ...columnsFrom(d, [
          'escrowId',
          'milestoneId',
          'kind',
          'amount',
          'currency',
          'beneficiaryId',
          'reason',
          'retryOf',
          'depositId',
        ]),
        status: 'PENDING',
        psp_ref: null,
        retried_by: null,
        failure_reason: null,
        initiated_at: d.initiatedAt,
        sent_at: null,
        settled_at: null,
        failed_at: null,
        updated_at: d.initiatedAt,
      });
      if (d.depositId)
        deposits.set(d.depositId, { refund_payment_id: d.paymentId, updated_at: d.initiatedAt });
      return;
    }
    case 'payment.sent.v1':
      return payments.set(e.data.paymentId, {
        status: 'SENT',
        psp_ref: e.data.pspRef,
        sent_at: e.data.sentAt,
        updated_at: e.data.sentAt,
      });
    case 'payment.settled.v1':
      return payments.set(e.data.paymentId, {
        status: 'SETTLED',
        settled_at: e.data.settledAt,
        updated_at: e.data.settledAt,
      });
    case 'payment.failed.v1':
      return payments.set(e.data.paymentId, {
        status: 'FAILED',
        failure_reason: e.data.reason,
        failed_at: e.data.failedAt,
        updated_at: e.data.failedAt,
      });
    case 'payment.retried.v1':
      return payments.set(e.data.paymentId, {
        retried_by: e.data.retryPaymentId,
        updated_at: e.data.retriedAt,
      });
    default:
      return applyDeposit(deposits, e);
  }
}

// A batch's changes are gathered in event order, then written in a few statements (deposits
// first).
export const paymentsProjection = batchProjector<EscrowEvent, 'deposits' | 'payments'>(
  { name: 'payments', version: 2, tables: ['payments', 'deposits'], reads: fromStreams('escrow-') },
  ['deposits', 'payments'],
  (b, e) => applyOne(b.payments, b.deposits, e),
);
