/**
 * How escrows and milestones leave the API: money as decimal strings at the currency's scale,
 * times as ISO-8601 UTC. `release_conditions_json` repeats `release_conditions` under the old
 * service's field name so its clients keep working.
 */
import type { EscrowState, MilestoneState } from '@kob/domain';
import { type RecordedEvent, encodePosition } from '@kob/event-store';
import { type DepositRead, depositView } from '../../payments/shared';
import { atScale, iso } from '../../http/formats';
import { type PaymentRead, paymentStateView } from '../../payments/shared/payments.view';

export interface EscrowRead {
  id: string;
  client_id: string;
  provider_id: string;
  amount_total: string;
  currency: string;
  status: string;
  domain: string;
  release_conditions: Record<string, unknown>;
  release_conditions_json: Record<string, unknown>;
  deadline_at: string;
  deposited: string;
  created_at: string;
}

export interface MilestoneRead {
  id: string;
  escrow_id: string;
  label: string;
  amount: string;
  currency: string;
  sequence_index: number;
  status: string;
  /** Null: kind-less, it takes photo and document proofs (FRONTEND-CONTRACT D5). */
  proof_kind: string | null;
  proof_requirements: Record<string, unknown>;
  geofence_lat: number | null;
  geofence_lng: number | null;
  geofence_radius_m: number | null;
}

export function escrowStateView(s: EscrowState): EscrowRead {
  return {
    id: s.escrowId,
    client_id: s.clientId,
    provider_id: s.providerId,
    amount_total: atScale(s.amountTotal, s.currency, s.scale),
    currency: s.currency,
    status: s.status,
    domain: s.domain,
    release_conditions: s.releaseConditions,
    release_conditions_json: s.releaseConditions,
    deadline_at: iso(s.deadlineAt),
    deposited: atScale(s.deposited, s.currency, s.scale),
    created_at: iso(s.createdAt),
  };
}

/** An escrow as its stream stood at an `as_of` cut (auditors), with the cut and its last event. */
export interface EscrowAsOfRead extends EscrowRead {
  /** the cut as the caller sent it */
  as_of: string;
  /** revision of the last event folded */
  revision: string;
  /** position token of the last event folded */
  position: string;
}

export function escrowAsOfView(s: EscrowState, asOf: string, last: RecordedEvent): EscrowAsOfRead {
  return {
    ...escrowStateView(s),
    as_of: asOf,
    revision: last.revision.toString(),
    position: encodePosition(last.position),
  };
}

export function escrowRowView(r: Record<string, any>): EscrowRead {
  return {
    id: r.id,
    client_id: r.client_id,
    provider_id: r.provider_id,
    amount_total: atScale(r.amount_total, r.currency, r.scale),
    currency: r.currency,
    status: r.status,
    domain: r.domain,
    release_conditions: r.release_conditions,
    release_conditions_json: r.release_conditions,
    deadline_at: iso(r.deadline_at),
    deposited: atScale(r.deposited, r.currency, r.scale),
    created_at: iso(r.created_at),
  };
}

export function milestoneStateView(s: EscrowState, m: MilestoneState): MilestoneRead {
  return {
    id: m.milestoneId,
    escrow_id: s.escrowId,
    label: m.label,
    amount: atScale(m.amount, m.currency, s.scale),
    currency: m.currency,
    sequence_index: m.sequenceIndex,
    status: m.status,
    proof_kind: m.proofKind,
    proof_requirements: m.proofRequirements,
    geofence_lat: m.geofence?.lat ?? null,
    geofence_lng: m.geofence?.lng ?? null,
    geofence_radius_m: m.geofence?.radiusM ?? null,
  };
}

/** Milestone rows carry no scale: numeric comes back minimal, so the escrow's scale is joined. */
export function milestoneRowView(r: Record<string, any>, scale?: number): MilestoneRead {
  const amount = scale === undefined ? String(r.amount) : atScale(r.amount, r.currency, scale);
  return {
    id: r.id,
    escrow_id: r.escrow_id,
    label: r.label,
    amount,
    currency: r.currency,
    sequence_index: r.sequence_index,
    status: r.status,
    proof_kind: r.proof_kind,
    proof_requirements: r.proof_requirements,
    geofence_lat: r.geofence_lat,
    geofence_lng: r.geofence_lng,
    geofence_radius_m: r.geofence_radius_m,
  };
}

export interface EscrowBalances {
  deposited: string;
  paid: string;
  refunded: string;
  spent: string;
  failed: string;
  held: string;
  /** Deposits initiated and not yet confirmed or failed (they count toward the total). */
  pending_deposits: string;
}

export interface EscrowSummary {
  escrow: EscrowRead;
  milestones: MilestoneRead[];
  deposits: DepositRead[];
  payments: PaymentRead[];
  balances: EscrowBalances;
  /** What the caller may do now, named by path below `/escrows/{id}/`. */
  allowed_actions: string[];
}

/** The summary of API-RULES.md §3's balances, from the folded stream. */
export function escrowSummaryView(s: EscrowState, allowedActions: string[]): EscrowSummary {
  const at = (amount: string) => atScale(amount, s.currency, s.scale);
  return {
    escrow: escrowStateView(s),
    milestones: [...s.milestones]
      .sort((a, b) => a.sequenceIndex - b.sequenceIndex)
      .map((m) => milestoneStateView(s, m)),
    deposits: s.deposits.map((d) => depositView(s, d.depositId)),
    payments: s.payments.map((p) => paymentStateView(s, p)),
    balances: {
      deposited: at(s.deposited),
      paid: at(s.paid),
      refunded: at(s.refunded),
      spent: at(s.spent),
      failed: at(s.failed),
      held: at(s.held),
      pending_deposits: at(s.pending),
    },
    allowed_actions: allowedActions,
  };
}
