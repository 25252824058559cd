/**
 * How payments leave the API (`PaymentRead`): the old service's fields (`id, escrow_id,
 * milestone_id, amount, psp_ref, status, idempotency_key, created_at, updated_at`) plus what a
 * payment now has: its kind, currency, beneficiary, why it was made, the retry links and the
 * failure reason. `idempotency_key` is the key the PSP saw: the payment id.
 */
import type { EscrowState, PaymentState } from '@kob/domain';
import { atScale, iso } from '../../http/formats';

export interface PaymentRead {
  id: string;
  escrow_id: string;
  milestone_id: string | null;
  kind: string;
  amount: string;
  currency: string;
  status: string;
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
    status: p.status,
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

/** A `payments` row with its escrow's scale (numeric comes back minimal). */
export function paymentRowView(r: Record<string, any>, scale: number): PaymentRead {
  return {
    id: r.id,
    escrow_id: r.escrow_id,
    milestone_id: r.milestone_id,
    kind: r.kind,
    amount: atScale(r.amount, r.currency, scale),
    currency: r.currency,
    status: r.status,
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
