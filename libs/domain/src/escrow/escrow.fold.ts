/** Small steps every fold of an escrow event takes: sums at the escrow's scale, one item changed. */
import type { MilestoneStatus } from './escrow.events';
import {
  type DepositState,
  type EscrowState,
  type MilestoneState,
  type PaymentState,
  heldOf,
  money,
} from './escrow.state-model';

export function add(state: EscrowState, a: string, b: string): string {
  return money(state, a).plus(money(state, b)).toString();
}

export function sub(state: EscrowState, a: string, b: string): string {
  return money(state, a).minus(money(state, b)).toString();
}

export function withHeld(state: EscrowState): EscrowState {
  return { ...state, held: heldOf(state) };
}

export function withDeposit(
  state: EscrowState,
  depositId: string,
  change: Partial<DepositState>,
): DepositState[] {
  return state.deposits.map((d) => (d.depositId === depositId ? { ...d, ...change } : d));
}

export function withPayment(
  state: EscrowState,
  paymentId: string,
  change: Partial<PaymentState>,
): PaymentState[] {
  return state.payments.map((p) => (p.paymentId === paymentId ? { ...p, ...change } : p));
}

export function withMilestone(
  state: EscrowState,
  milestoneId: string | null,
  status: MilestoneStatus,
): MilestoneState[] {
  return state.milestones.map((m) => (m.milestoneId === milestoneId ? { ...m, status } : m));
}

/** `pendingBeyondCap` once a deposit leaves PENDING (it was in it if initiated beyond the cap). */
export function leavingBeyondCap(state: EscrowState, depositId: string, amount: string): string {
  const beyond = state.deposits.some((d) => d.depositId === depositId && d.beyondCap);
  return beyond ? sub(state, state.pendingBeyondCap, amount) : state.pendingBeyondCap;
}
