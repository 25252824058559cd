/**
 * Escrow commands for the first increment of issue 4. Time (`now`) and ids (`escrowId`,
 * `depositId`, `milestoneId`) arrive in the command so the decider stays pure; the handler
 * resolves the currency's scale from configuration, checks that client and provider exist and
 * applies the GOV/ONG rule for public/aid escrows before the decider runs. Fields the HTTP edge
 * may leave out are optional here and get their defaults in the decider, in one place.
 */
import type { Geofence } from './escrow.events';

export interface CreateEscrow {
  type: 'CreateEscrow';
  escrowId: string;
  clientId: string;
  providerId: string;
  amountTotal: string;
  currency: string;
  /** The currency's scale from `CURRENCIES`, resolved by the handler (like the tally's). */
  scale: number;
  releaseConditions: unknown;
  deadlineAt: string;
  domain?: string | null;
  now: string;
}

export interface Deposit {
  type: 'Deposit';
  escrowId: string;
  /** Derived by the handler from the idempotency scope and key (API-RULES.md §4). */
  depositId: string;
  amount: string;
  /** Set when the PSP confirmed synchronously (the simulator): both events in one append. */
  pspConfirmed: { pspRef: string } | null;
  /** Set when the PSP declined at once: initiation and failure in one append. */
  pspDeclined?: { reason: string } | null;
  now: string;
}

export interface ConfirmDeposit {
  type: 'ConfirmDeposit';
  escrowId: string;
  depositId: string;
  pspRef: string;
  now: string;
}

export interface FailDeposit {
  type: 'FailDeposit';
  escrowId: string;
  depositId: string;
  reason: string;
  now: string;
}

export interface AddMilestone {
  type: 'AddMilestone';
  escrowId: string;
  milestoneId: string;
  label: string;
  amount: string;
  currency: string;
  sequenceIndex: number;
  proofKind?: string | null;
  proofRequirements?: unknown;
  geofence?: Geofence | null;
  now: string;
}

export interface MarkDelivered {
  type: 'MarkDelivered';
  escrowId: string;
  note?: string | null;
  proofUrl?: string | null;
  now: string;
}

export interface CheckDeadline {
  type: 'CheckDeadline';
  escrowId: string;
  now: string;
}

export type EscrowCommand =
  | CreateEscrow
  | Deposit
  | ConfirmDeposit
  | FailDeposit
  | AddMilestone
  | MarkDelivered
  | CheckDeadline;
