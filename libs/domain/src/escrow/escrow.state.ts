/**
 * The escrow's folded state and `evolve`: status, milestones, deposits by id and the balances of
 * API-RULES.md §3 that this increment can know (`deposited` = confirmed, `pending` = initiated but
 * neither confirmed nor failed, `held` = deposited until payouts exist, `refundDue` = money owed
 * back after a close). Amounts stay decimal strings at the escrow's scale so the state is plain
 * JSON. `evolve` trusts stored events and never throws; invariants are asserted in `decide`.
 */
import { Money } from '../../../kernel/src';
import type {
  EscrowDomain,
  EscrowEvent,
  Geofence,
  MilestoneStatus,
  OnDeadline,
  ProofKind,
  ReleaseConditions,
} from './escrow.events';

export type EscrowStatus =
  'DRAFT' | 'FUNDED' | 'RELEASABLE' | 'RELEASED' | 'REFUNDED' | 'CANCELLED';
export type DepositStatus = 'PENDING' | 'CONFIRMED' | 'FAILED';

export const terminalStatuses: readonly EscrowStatus[] = ['RELEASED', 'REFUNDED', 'CANCELLED'];

export interface MilestoneState {
  milestoneId: string;
  label: string;
  amount: string;
  currency: string;
  sequenceIndex: number;
  status: MilestoneStatus;
  proofKind: ProofKind;
  proofRequirements: Record<string, unknown>;
  geofence: Geofence | null;
}

export interface DepositState {
  depositId: string;
  amount: string;
  status: DepositStatus;
  pspRef: string | null;
  afterClose: boolean;
}

export interface EscrowState {
  exists: boolean;
  escrowId: string;
  clientId: string;
  providerId: string;
  amountTotal: string;
  currency: string;
  scale: number;
  releaseConditions: ReleaseConditions;
  onDeadline: OnDeadline;
  deadlineAt: string;
  domain: EscrowDomain;
  status: EscrowStatus;
  createdAt: string;
  /** In insertion order (an array, not an object, so numeric-looking ids keep their order). */
  milestones: MilestoneState[];
  milestoneTotal: string;
  deposits: DepositState[];
  deposited: string;
  pending: string;
  held: string;
  refundDue: string;
}

export function initialEscrowState(): EscrowState {
  return {
    exists: false,
    escrowId: '',
    clientId: '',
    providerId: '',
    amountTotal: '0',
    currency: '',
    scale: 0,
    releaseConditions: { on_deadline: 'release' },
    onDeadline: 'release',
    deadlineAt: '',
    domain: 'private',
    status: 'DRAFT',
    createdAt: '',
    milestones: [],
    milestoneTotal: '0',
    deposits: [],
    deposited: '0',
    pending: '0',
    held: '0',
    refundDue: '0',
  };
}

export function isTerminal(status: EscrowStatus): boolean {
  return terminalStatuses.includes(status);
}

export function money(state: EscrowState, amount: string): Money {
  return Money.of(amount, state.currency, state.scale);
}

function add(state: EscrowState, a: string, b: string): string {
  return money(state, a).plus(money(state, b)).toString();
}

function sub(state: EscrowState, a: string, b: string): string {
  return money(state, a).minus(money(state, b)).toString();
}

function withDeposit(
  state: EscrowState,
  depositId: string,
  change: Partial<DepositState>,
): DepositState[] {
  return state.deposits.map((d) => (d.depositId === depositId ? { ...d, ...change } : d));
}

/** Folds deposit events; a deposit moves out of `pending` exactly once (decide guarantees it). */
function evolveDeposit(state: EscrowState, event: EscrowEvent): EscrowState {
  switch (event.type) {
    case 'escrow.deposit_initiated.v1': {
      const { depositId, amount } = event.data;
      const deposit: DepositState = {
        depositId,
        amount,
        status: 'PENDING',
        pspRef: null,
        afterClose: false,
      };
      return {
        ...state,
        deposits: [...state.deposits, deposit],
        pending: add(state, state.pending, amount),
      };
    }
    case 'escrow.deposit_confirmed.v1': {
      const { depositId, amount, pspRef, afterClose } = event.data;
      const deposited = add(state, state.deposited, amount);
      return {
        ...state,
        deposits: withDeposit(state, depositId, { status: 'CONFIRMED', pspRef, afterClose }),
        pending: sub(state, state.pending, amount),
        deposited,
        held: deposited,
        refundDue: afterClose ? add(state, state.refundDue, amount) : state.refundDue,
      };
    }
    case 'escrow.deposit_failed.v1': {
      const { depositId, amount } = event.data;
      return {
        ...state,
        deposits: withDeposit(state, depositId, { status: 'FAILED' }),
        pending: sub(state, state.pending, amount),
      };
    }
    default:
      return state;
  }
}

export function evolveEscrow(state: EscrowState, event: EscrowEvent): EscrowState {
  if (event.type === 'escrow.created.v1') {
    const d = event.data;
    const zero = Money.zero(d.currency, d.scale).toString();
    return {
      ...initialEscrowState(),
      milestoneTotal: zero,
      deposited: zero,
      pending: zero,
      held: zero,
      refundDue: zero,
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
  // Nothing but creation applies to a stream without an escrow (Money needs its currency).
  if (!state.exists) return state;
  switch (event.type) {
    case 'escrow.funded.v1':
      return { ...state, status: 'FUNDED' };
    case 'escrow.delivered.v1':
      return { ...state, status: 'RELEASABLE' };
    case 'escrow.cancelled.v1':
      return {
        ...state,
        status: 'CANCELLED',
        refundDue: add(state, state.refundDue, event.data.refundTotal),
      };
    case 'milestone.added.v1': {
      const { escrowId: _escrowId, addedAt: _addedAt, ...milestone } = event.data;
      return {
        ...state,
        milestones: [...state.milestones, milestone],
        milestoneTotal: add(state, state.milestoneTotal, milestone.amount),
      };
    }
    default:
      return evolveDeposit(state, event);
  }
}
