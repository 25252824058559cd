/**
 * The escrow's folded state and `evolve`: status, milestones, deposits and payments by id, and the
 * balances of API-RULES.md §3:
 * - `deposited`: confirmed deposits (all the money that came in, including deposits given back
 *   because they arrived after the close or above the total: those are also in `returned`);
 * - `pending`: deposits initiated but neither confirmed nor failed (they count toward the cap);
 * - `paid` / `refunded` / `spent`: payments of that kind in PENDING, SENT or SETTLED;
 * - `failed`: FAILED payments not yet retried (still owed to their beneficiary, so not held);
 * - `held` = deposited − paid − refunded − spent − failed, never negative.
 * Amounts stay decimal strings at the escrow's scale so the state is plain JSON. `evolve` trusts
 * stored events and never throws; invariants are asserted in `decide`.
 */
import { Money } from '@kob/kernel';
import type { EscrowEvent } from './escrow.events';
import { evolveDeposit } from './escrow.evolve-funds';
import { evolveProof } from './escrow.evolve-proofs';
import { add, withMilestone } from './escrow.fold';
import { type EscrowState, type PayeeState, initialEscrowState } from './escrow.state-model';

export * from './escrow.state-model';

export function evolveEscrow(state: EscrowState, event: EscrowEvent): EscrowState {
  if (event.type === 'escrow.created.v1') return createdEscrow(event.data);
  // Nothing but creation applies to a stream without an escrow (Money needs its currency).
  if (!state.exists) return state;
  switch (event.type) {
    case 'escrow.funded.v1':
      return { ...state, status: 'FUNDED' };
    case 'escrow.delivered.v1':
      return { ...state, status: 'RELEASABLE' };
    case 'escrow.cancelled.v1':
      return { ...state, status: 'CANCELLED' };
    case 'escrow.refunded.v1':
      return { ...state, status: 'REFUNDED' };
    case 'escrow.released.v1':
      return { ...state, status: 'RELEASED' };
    case 'milestone.added.v1': {
      const { escrowId: _escrowId, addedAt: _addedAt, ...milestone } = event.data;
      return {
        ...state,
        milestones: [...state.milestones, milestone],
        milestoneTotal: add(state, state.milestoneTotal, milestone.amount),
      };
    }
    case 'milestone.approved.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'APPROVED') };
    case 'milestone.paid.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'PAID') };
    case 'milestone.reopened.v1':
      return { ...state, milestones: withMilestone(state, event.data.milestoneId, 'WAITING') };
    case 'payee.allowed.v1': {
      const d = event.data;
      const zero = Money.zero(state.currency, state.scale).toString();
      const payee: PayeeState = {
        payeeRef: d.payeeRef,
        label: d.label,
        dailyLimit: d.dailyLimit,
        totalLimit: d.totalLimit,
        spentTotal: zero,
        spentByDay: {},
        allowedAt: d.allowedAt,
      };
      return { ...state, payees: [...state.payees, payee] };
    }
    default:
      return evolveProof(state, event) ?? evolveDeposit(state, event);
  }
}

/** The state right after `escrow.created.v1`: every balance at zero in the escrow's currency. */
function createdEscrow(
  d: Extract<EscrowEvent, { type: 'escrow.created.v1' }>['data'],
): EscrowState {
  const zero = Money.zero(d.currency, d.scale).toString();
  return {
    ...initialEscrowState(),
    milestoneTotal: zero,
    deposited: zero,
    pending: zero,
    pendingBeyondCap: zero,
    returned: zero,
    paid: zero,
    refunded: zero,
    spent: zero,
    failed: zero,
    held: zero,
    exists: true,
    escrowId: d.escrowId,
    clientId: d.clientId,
    providerId: d.providerId,
    amountTotal: d.amountTotal,
    currency: d.currency,
    scale: d.scale,
    releaseConditions: d.releaseConditions,
    onDeadline: d.releaseConditions.on_deadline,
    deadlineAt: d.deadlineAt,
    domain: d.domain,
    createdAt: d.createdAt,
  };
}
