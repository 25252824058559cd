/**
 * Escrow events (API-RULES.md §6), all on the `escrow-{id}` stream. Each event carries what a
 * projection needs without reading any other event: the escrow id always, the currency with every
 * amount, and amounts as decimal strings at the currency's scale (never JS numbers). This first
 * increment covers creation, deposits, milestones, delivery and the DRAFT deadline cancellation;
 * payouts, refunds, approvals and rejections arrive with the payments increment (issue 4).
 */
export type EscrowDomain = 'private' | 'public' | 'aid';
export type OnDeadline = 'release' | 'refund' | 'none';
export type ProofKind = 'PHOTO' | 'PDF' | 'INVOICE' | 'CONTRACT';
export type MilestoneStatus = 'WAITING' | 'PENDING_REVIEW' | 'APPROVED' | 'PAYING' | 'PAID';

export interface Geofence {
  lat: number;
  lng: number;
  radiusM: number;
}

/** `on_deadline` is validated and interpreted; every other key is kept as sent, uninterpreted. */
export type ReleaseConditions = { on_deadline: OnDeadline } & Record<string, unknown>;

export interface EscrowCreatedData {
  escrowId: string;
  clientId: string;
  providerId: string;
  amountTotal: string;
  currency: string;
  /** The currency's scale at creation, so later decisions need no configuration lookup. */
  scale: number;
  releaseConditions: ReleaseConditions;
  deadlineAt: string;
  domain: EscrowDomain;
  createdAt: string;
}

export interface DepositInitiatedData {
  escrowId: string;
  depositId: string;
  amount: string;
  currency: string;
  initiatedAt: string;
}

export interface DepositConfirmedData {
  escrowId: string;
  depositId: string;
  amount: string;
  currency: string;
  pspRef: string;
  /** True when the money arrived after the escrow closed: it is owed back to the client. */
  afterClose: boolean;
  confirmedAt: string;
}

export interface DepositFailedData {
  escrowId: string;
  depositId: string;
  amount: string;
  currency: string;
  reason: string;
  failedAt: string;
}

export interface EscrowFundedData {
  escrowId: string;
  amountTotal: string;
  currency: string;
  fundedAt: string;
}

export interface MilestoneAddedData {
  escrowId: string;
  milestoneId: string;
  label: string;
  amount: string;
  currency: string;
  sequenceIndex: number;
  status: 'WAITING';
  proofKind: ProofKind;
  proofRequirements: Record<string, unknown>;
  geofence: Geofence | null;
  addedAt: string;
}

export interface EscrowDeliveredData {
  escrowId: string;
  note: string | null;
  proofUrl: string | null;
  deliveredAt: string;
}

export interface RefundDue {
  depositId: string;
  amount: string;
}

export interface EscrowCancelledData {
  escrowId: string;
  /** Only the deadline cancels in this increment; client-reject adds its reason later. */
  reason: 'deadline';
  currency: string;
  /** Confirmed deposits owed back to the client; the refund payments come with payouts. */
  refundsDue: RefundDue[];
  refundTotal: string;
  /** Deposits still pending at cancellation: if confirmed later they arrive with afterClose. */
  pendingDepositIds: string[];
  cancelledAt: string;
}

export type EscrowEvent =
  | { type: 'escrow.created.v1'; data: EscrowCreatedData }
  | { type: 'escrow.deposit_initiated.v1'; data: DepositInitiatedData }
  | { type: 'escrow.deposit_confirmed.v1'; data: DepositConfirmedData }
  | { type: 'escrow.deposit_failed.v1'; data: DepositFailedData }
  | { type: 'escrow.funded.v1'; data: EscrowFundedData }
  | { type: 'milestone.added.v1'; data: MilestoneAddedData }
  | { type: 'escrow.delivered.v1'; data: EscrowDeliveredData }
  | { type: 'escrow.cancelled.v1'; data: EscrowCancelledData };
