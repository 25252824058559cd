/**
 * What can be done to an escrow now, and by whom: each action is probed by running the decider
 * itself on the state (a refusal means not allowed; a decision that appends nothing, such as a
 * deadline not yet due, means nothing to do), so the summary's `allowed_actions` can never
 * disagree with what the commands answer. Actions are named by their path below
 * `/escrows/{id}/` (the release of a milestone by `milestones/{milestone_id}/release`).
 *
 * `submittableMilestone` and `proofSubmittable` answer the frontend's summary and inbox
 * (FRONTEND-CONTRACT.md §4.5, §5.1): the milestone a proof is for now, and whether `POST /proofs`'s
 * target check would let a proof in.
 */
import { DomainError } from '@kob/kernel';
import { escrowDecider } from './escrow.decider';
import type { EscrowCommand } from './escrow.commands';
import { proofTarget } from './escrow.proofs';
import {
  type EscrowState,
  type MilestoneState,
  isTerminal,
  lowestOpenMilestone,
} from './escrow.state';

/**
 * Who may take an action (API-RULES.md §1): the client, the provider, either party (delivery:
 * the client may mark delivered too, FRONTEND-CONTRACT.md A3), any party or support.
 */
export type ActionRole = 'client' | 'provider' | 'party' | 'party_or_support';

export interface EscrowActionOption {
  action: string;
  role: ActionRole;
}

const PROBE_ID = '00000000-0000-4000-8000-000000000000';

function acts(state: EscrowState, command: EscrowCommand): boolean {
  try {
    return escrowDecider.decide(command, state).length > 0;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}

export function escrowActionOptions(state: EscrowState, now: string): EscrowActionOption[] {
  if (!state.exists) return [];
  const escrowId = state.escrowId;
  // One minor unit: the smallest deposit or milestone the currency allows.
  const unit = state.scale === 0 ? '1' : `0.${'0'.repeat(state.scale - 1)}1`;
  const nextIndex = Math.max(0, ...state.milestones.map((m) => m.sequenceIndex)) + 1;
  const base = { escrowId, now };
  const probes: [string, ActionRole, EscrowCommand][] = [
    [
      'deposit',
      'client',
      {
        ...base,
        type: 'Deposit',
        depositId: PROBE_ID,
        amount: unit,
        pspConfirmed: null,
        refundPaymentId: PROBE_ID,
      },
    ],
    [
      'milestones',
      'client',
      {
        ...base,
        type: 'AddMilestone',
        milestoneId: PROBE_ID,
        label: 'probe',
        amount: unit,
        currency: state.currency,
        sequenceIndex: nextIndex,
      },
    ],
    ['mark-delivered', 'party', { ...base, type: 'MarkDelivered' }],
    ['client-approve', 'client', { ...base, type: 'ClientApprove', idSeed: PROBE_ID }],
    ['client-reject', 'client', { ...base, type: 'ClientReject', idSeed: PROBE_ID }],
    ['check-deadline', 'party_or_support', { ...base, type: 'CheckDeadline', idSeed: PROBE_ID }],
  ];
  const lowest = lowestOpenMilestone(state);
  if (lowest) {
    const release: EscrowCommand = {
      ...base,
      type: 'ApproveAndPayMilestone',
      milestoneId: lowest.milestoneId,
      paymentId: PROBE_ID,
      source: 'release',
    };
    probes.push([`milestones/${lowest.milestoneId}/release`, 'client', release]);
  }
  return probes
    .filter(([, , command]) => acts(state, command))
    .map(([action, role]) => ({ action, role }));
}

/** The lowest milestone not yet paid, on an open escrow (none on a closed or missing one). */
export function submittableMilestone(state: EscrowState): MilestoneState | undefined {
  if (!state.exists || isTerminal(state.status)) return undefined;
  return lowestOpenMilestone(state);
}

/** Whether `POST /proofs` would take a proof now: its target check passes on that milestone. */
export function proofSubmittable(state: EscrowState): boolean {
  const milestone = submittableMilestone(state);
  if (!milestone) return false;
  try {
    return proofTarget(state, milestone.sequenceIndex) === milestone;
  } catch (err) {
    if (err instanceof DomainError) return false;
    throw err;
  }
}
