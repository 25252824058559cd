/**
 * How escrows and milestones leave the API: money as decimal strings at the currency's scale,
 * times as ISO-8601 UTC. `release_conditions_json` repeats `release_conditions` under the old
 * service's field name so its clients keep working. The web frontend also reads each party's
 * user number and the payment mode (FRONTEND-CONTRACT §2): the numbers come from the users read
 * model (`EscrowReader.parties`), the mode is always MILESTONE (the only one this service runs).
 */
import { type EscrowState, type MilestoneState, submittableMilestone } from '@kob/domain';
import { type RecordedEvent, encodePosition } from '@kob/event-store';
import { type DepositRead, depositView } from '../../payments/shared';
import { atScale, iso } from '../../http/formats';
import { type PaymentRead, paymentStateView } from '../../payments/shared/payments.view';
import type { ProofRead } from '../../proofs/shared/proofs.view';

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
  /** FRONTEND-CONTRACT A9: milestones are the only way money leaves an escrow here */
  payment_mode: 'MILESTONE';
  /** the provider's and the client's user numbers (D3); null while a number is not known */
  provider_user_id: number | null;
  sender_user_id: number | null;
}

/** A party as the escrow answers show it: its user number and username. */
export interface PartyRead {
  number: number | null;
  username: string;
}

/** The escrows' parties by user id (from the users read model); absent: not known yet. */
export type Parties = ReadonlyMap<string, PartyRead>;
const NO_PARTIES: Parties = new Map();

function partyNumbers(parties: Parties, clientId: string, providerId: string) {
  return {
    payment_mode: 'MILESTONE' as const,
    provider_user_id: parties.get(providerId)?.number ?? null,
    sender_user_id: parties.get(clientId)?.number ?? null,
  };
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

export function escrowStateView(s: EscrowState, parties: Parties = NO_PARTIES): EscrowRead {
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
    ...partyNumbers(parties, s.clientId, s.providerId),
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

export function escrowAsOfView(
  s: EscrowState,
  asOf: string,
  last: RecordedEvent,
  parties: Parties = NO_PARTIES,
): EscrowAsOfRead {
  return {
    ...escrowStateView(s, parties),
    as_of: asOf,
    revision: last.revision.toString(),
    position: encodePosition(last.position),
  };
}

export function escrowRowView(r: Record<string, any>, parties: Parties = NO_PARTIES): EscrowRead {
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
    ...partyNumbers(parties, r.client_id, r.provider_id),
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

/** Who the caller is to the escrow and what the web frontend may offer it (§4.5, D7). */
export interface ViewerContextRead {
  relation: 'SENDER' | 'PROVIDER' | 'OPS';
  allowed_actions: string[];
  is_sender: boolean;
  is_provider: boolean;
  is_participant: boolean;
  viewer_user_id: string | null;
}

/** The provider as the summary names it (FRONTEND-CONTRACT §4.5): `id` is its user number. */
export interface ProviderUserRead {
  id: number | null;
  username: string | null;
  display_name: null;
}

export interface EscrowSummary {
  escrow: EscrowRead & { provider_user: ProviderUserRead };
  milestones: MilestoneRead[];
  /** The escrow's proofs, oldest first (FRONTEND-CONTRACT.md §4.5). */
  proofs: ProofRead[];
  deposits: DepositRead[];
  payments: PaymentRead[];
  balances: EscrowBalances;
  /** What the caller may do now, named by path below `/escrows/{id}/`. */
  allowed_actions: string[];
  viewer_context: ViewerContextRead;
  /** The lowest milestone not PAID on an open escrow (null: none). */
  current_submittable_milestone_idx: number | null;
  current_submittable_milestone_id: string | null;
}

/** What the summary adds to the folded stream: the proofs' rows and the caller's standing. */
export interface SummaryExtras {
  /** the client and the provider, from the users read model */
  parties: Parties;
  proofs: ProofRead[];
  allowedActions: string[];
  viewerContext: ViewerContextRead;
}

/** The summary of API-RULES.md §3's balances, from the folded stream. */
export function escrowSummaryView(s: EscrowState, extras: SummaryExtras): EscrowSummary {
  const at = (amount: string) => atScale(amount, s.currency, s.scale);
  const current = submittableMilestone(s);
  return {
    escrow: {
      ...escrowStateView(s, extras.parties),
      provider_user: {
        id: extras.parties.get(s.providerId)?.number ?? null,
        username: extras.parties.get(s.providerId)?.username ?? null,
        display_name: null,
      },
    },
    milestones: [...s.milestones]
      .sort((a, b) => a.sequenceIndex - b.sequenceIndex)
      .map((m) => milestoneStateView(s, m)),
    proofs: extras.proofs,
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
    allowed_actions: extras.allowedActions,
    viewer_context: extras.viewerContext,
    current_submittable_milestone_idx: current?.sequenceIndex ?? null,
    current_submittable_milestone_id: current?.milestoneId ?? null,
  };
}
