/**
 * How payments leave the API (`PaymentRead`): the old service's fields (`id, escrow_id,
 * milestone_id, amount, psp_ref, status, idempotency_key, created_at, updated_at`) plus what a
 * payment now has: its kind, currency, beneficiary, why it was made, the retry links and the
 * failure reason. `idempotency_key` is the key the PSP saw: the payment id.
 *
 * A failed payment leaves as `ERROR` (FRONTEND-CONTRACT.md D4): the frontend's name. The events,
 * the read model, the `failed` balance and deposit statuses keep `FAILED`; this view is the one
 * place where the name changes, and `paymentStatusStored` is its inverse for filters (A5: a
 * filter takes `FAILED` for `ERROR`).
 */
import type { EscrowState, PaymentState, PaymentStatus } from '@kob/domain';
import { assert } from '@kob/kernel';
import { atScale, iso } from '../../http/formats';

/** The payment statuses an answer carries, in their order of life. */
export const PAYMENT_STATUS_NAMES = ['PENDING', 'SENT', 'SETTLED', 'ERROR'] as const;
export type PaymentStatusName = (typeof PAYMENT_STATUS_NAMES)[number];

const STATUS_NAMES: Record<PaymentStatus, PaymentStatusName> = {
  PENDING: 'PENDING',
  SENT: 'SENT',
  SETTLED: 'SETTLED',
  FAILED: 'ERROR',
};

/** A payment's status as answers name it: `FAILED` is `ERROR` (D4). */
export function paymentStatusName(status: string): PaymentStatusName {
  assert(Object.hasOwn(STATUS_NAMES, status), `unknown payment status ${status}`);
  return STATUS_NAMES[status as PaymentStatus];
}

/** The stored status a filter's name selects: `ERROR` and its synonym `FAILED` (A5) are FAILED. */
export function paymentStatusStored(name: PaymentStatusName | 'FAILED'): PaymentStatus {
  return name === 'ERROR' ? 'FAILED' : name;
}

export interface PaymentRead {
  id: string;
  escrow_id: string;
  milestone_id: string | null;
  kind: string;
  amount: string;
  currency: string;
  status: PaymentStatusName;
  psp_ref: string | null;
  beneficiary_id: string;
  reason: string;
  retry_of: string | null;
  retried_by: string | null;
  deposit_id: string | null;
  failure_reason: string | null;
  idempotency_key: string;
  created_at: string;
  updated_at: string;
}

export function paymentStateView(s: EscrowState, p: PaymentState): PaymentRead {
  return {
    id: p.paymentId,
    escrow_id: s.escrowId,
    milestone_id: p.milestoneId,
    kind: p.kind,
    amount: atScale(p.amount, s.currency, s.scale),
    currency: s.currency,
    status: paymentStatusName(p.status),
    psp_ref: p.pspRef,
    beneficiary_id: p.beneficiaryId,
    reason: p.reason,
    retry_of: p.retryOf,
    retried_by: p.retriedBy,
    deposit_id: p.depositId,
    failure_reason: p.failureReason,
    idempotency_key: p.paymentId,
    created_at: iso(p.initiatedAt),
    updated_at: iso(p.updatedAt),
  };
}

/**
 * A `payments` row with its escrow's scale (numeric comes back minimal; no scale known: the
 * amount as stored).
 */
export function paymentRowView(r: Record<string, any>, scale: number | null): PaymentRead {
  return {
    id: r.id,
    escrow_id: r.escrow_id,
    milestone_id: r.milestone_id,
    kind: r.kind,
    amount: atScale(r.amount, r.currency, scale),
    currency: r.currency,
    status: paymentStatusName(r.status),
    psp_ref: r.psp_ref,
    beneficiary_id: r.beneficiary_id,
    reason: r.reason,
    retry_of: r.retry_of,
    retried_by: r.retried_by,
    deposit_id: r.deposit_id,
    failure_reason: r.failure_reason,
    idempotency_key: r.id,
    created_at: iso(r.initiated_at),
    updated_at: iso(r.updated_at),
  };
}
