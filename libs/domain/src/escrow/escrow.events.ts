/**
 * Escrow events (API-RULES.md §6), all on the `escrow-{id}` stream: the escrow, its deposits,
 * milestones and payments. Each event carries what a projection needs without reading any other
 * event: the escrow id always, the currency with every amount, amounts as decimal strings at the
 * currency's scale (never JS numbers), and for payments the kind and beneficiary that name the
 * ledger account. Events that change the held balance (a confirmed deposit, a payment initiated)
 * carry `heldAfter`, the decider's own balance, so the ledger projector can check its postings
 * against it.
 */
export type EscrowDomain = 'private' | 'public' | 'aid';
export type OnDeadline = 'release' | 'refund' | 'none';
/** `DOCUMENT` is a document kind like PDF, INVOICE and CONTRACT (FRONTEND-CONTRACT A5). */
export type ProofKind = 'PHOTO' | 'PDF' | 'INVOICE' | 'CONTRACT' | 'DOCUMENT';
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
  /** The PSP's reference when it accepted the collection but confirms later (webhook). */
  pspRef?: string | null;
  /**
   * The PSP had already been asked when the escrow turned out closed or full (another process's
   * deposit or close won the race): recorded all the same, outside the total's cap, and refunded
   * if the PSP confirms it.
   */
  beyondCap?: boolean;
  initiatedAt: string;
}

export interface DepositConfirmedData {
  escrowId: string;
  depositId: string;
  amount: string;
  currency: string;
  pspRef: string;
  /** True when the money arrived after the escrow closed: it is refunded in the same append. */
  afterClose: boolean;
  /**
   * True when the PSP collected money the escrow can no longer take (another deposit reached
   * the total between the check and the append): refunded in the same append, like afterClose.
   */
  aboveTotal?: boolean;
  /** The escrow's held balance after this confirmation (absent on events of the first increment). */
  heldAfter?: string;
  confirmedAt: string;
}

/** The PSP accepted a deposit it had not answered at first; it will confirm by webhook. */
export interface DepositReferenceRecordedData {
  escrowId: string;
  depositId: string;
  currency: string;
  pspRef: string;
  recordedAt: string;
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
  /**
   * Null: a kind-less milestone (FRONTEND-CONTRACT D5), which takes photo and document proofs,
   * each judged by its own type. Events of the first increment always carry a kind.
   */
  proofKind: ProofKind | null;
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

export type CloseReason = 'client_reject' | 'deadline';

export interface EscrowCancelledData {
  escrowId: string;
  reason: CloseReason;
  currency: string;
  /** The confirmed deposits this cancellation gives back (informational). */
  refundsDue: RefundDue[];
  /** What is refunded: the held balance, by the refund payment initiated just before. */
  refundTotal: string;
  refundPaymentId?: string | null;
  /** Deposits still pending at cancellation: if confirmed later they are refunded on arrival. */
  pendingDepositIds: string[];
  note?: string | null;
  cancelledAt: string;
}

export interface EscrowRefundedData {
  escrowId: string;
  reason: CloseReason;
  currency: string;
  refundTotal: string;
  refundPaymentId: string | null;
  note?: string | null;
  refundedAt: string;
}

export type ReleaseReason = 'client_approve' | 'deadline' | 'all_milestones_paid';

export interface EscrowReleasedData {
  escrowId: string;
  reason: ReleaseReason;
  currency: string;
  /** The payouts initiated by this release (milestones in order, then the rest). */
  paymentIds: string[];
  /** The client's note (client-approve). */
  note?: string | null;
  releasedAt: string;
}

export type PaymentKind = 'payout' | 'refund' | 'spend';
export type PaymentStatus = 'PENDING' | 'SENT' | 'SETTLED' | 'FAILED';
/** Why a payment was initiated: which rule of API-RULES.md §2/§3 moved the money. */
export type PaymentReason =
  | 'milestone_release'
  | 'proof_approval'
  | 'client_approve'
  | 'deadline'
  | 'client_reject'
  | 'deposit_after_close'
  | 'deposit_above_total'
  | 'retry'
  | 'usage_spend';

/** What names a payment on every event about it: the fields of its initiation that never change. */
interface PaymentRef {
  escrowId: string;
  paymentId: string;
  kind: PaymentKind;
  amount: string;
  currency: string;
  /** The milestone a payout pays, else null (the rest of a release, refunds). */
  milestoneId: string | null;
  /** Who is paid: the provider's user id (payout), the client's (refund), a payee ref (spend). */
  beneficiaryId: string;
}

export interface PaymentInitiatedData extends PaymentRef {
  reason: PaymentReason;
  /** The FAILED payment this one retries: its amount is already payable, nothing moves again. */
  retryOf: string | null;
  /** The deposit a refund gives back (a confirmation after close or above the total). */
  depositId: string | null;
  /** The client's note on a usage spend. */
  note?: string | null;
  heldAfter: string;
  initiatedAt: string;
}

/** A payee the escrow's client may spend to (`POST /spend/allowed`), with optional limits. */
export interface PayeeAllowedData {
  escrowId: string;
  payeeRef: string;
  label: string;
  currency: string;
  /** Most that may be spent to this payee per UTC day (null: no daily limit). */
  dailyLimit: string | null;
  /** Most that may ever be spent to this payee (null: no total limit). */
  totalLimit: string | null;
  allowedAt: string;
}

export interface PaymentSentData extends PaymentRef {
  pspRef: string;
  sentAt: string;
}

export interface PaymentSettledData extends PaymentRef {
  pspRef: string;
  /** The PSP webhook that reported the settlement (`{provider}:{event_id}`). */
  webhookEventId: string;
  settledAt: string;
}

export interface PaymentFailedData extends PaymentRef {
  reason: string;
  /** Failed after the PSP had accepted it (a webhook): the ledger moves the money back. */
  afterSent: boolean;
  pspRef: string | null;
  webhookEventId: string | null;
  failedAt: string;
}

export interface PaymentRetriedData {
  escrowId: string;
  paymentId: string;
  retryPaymentId: string;
  currency: string;
  retriedAt: string;
}

export type ApprovalSource = 'release' | 'proof' | 'client_approve' | 'deadline';

export interface MilestoneApprovedData {
  escrowId: string;
  milestoneId: string;
  source: ApprovalSource;
  approvedAt: string;
}

export interface MilestonePaidData {
  escrowId: string;
  milestoneId: string;
  paymentId: string;
  paidAt: string;
}

/** What the server established about a proof's evidence (the handler reads the file's EXIF). */
export interface ProofEvidence {
  /** `file`: read by the server from an uploaded file (authoritative); `claim`: client metadata. */
  source: 'file' | 'claim';
  /** When the photo was taken, as an instant (UTC ISO), if it is known with its time zone. */
  captureTime: string | null;
  captureTimeSource: 'gps' | 'exif_offset' | 'client' | null;
  /** A capture time exists but says nothing of its time zone (never assumed to be UTC). */
  missingTimezone: boolean;
  gps: { lat: number; lng: number } | null;
  /**
   * For a time without a zone: the instants it can be, whatever the zone (UTC−12 to UTC+14),
   * so a photo stale or ahead in every zone is still refused.
   */
  captureWindow?: { earliest: string; latest: string } | null;
  /** The file's GPS time and its own clock (with its offset) tell different times. */
  timesDisagree?: boolean;
  /** Client metadata values that disagree with the file (`exif_timestamp`, `gps`) or OCR. */
  clientMismatch: string[];
  device: { make: string | null; model: string | null; software: string | null } | null;
}

/** The invoice fields kept on a document proof (normalised; IBAN only as its last 4). */
export interface ProofInvoice {
  totalAmount: string | null;
  currency: string | null;
  invoiceNumber: string | null;
  invoiceDate: string | null;
  ibanLast4: string | null;
  supplierName: string | null;
}

export interface ProofSubmittedData {
  escrowId: string;
  proofId: string;
  milestoneId: string;
  sequenceIndex: number;
  /** The proof's own type as sent (`PHOTO`, `INVOICE`…). */
  proofType: string;
  fileId: string | null;
  storageUrl: string | null;
  sha256: string;
  phash: string | null;
  /** The client's metadata as sent (without any `ai_assessment`), OCR values merged in. */
  metadata: Record<string, unknown> | null;
  evidence: ProofEvidence;
  invoice: ProofInvoice | null;
  /** The earlier proof whose image this one resembles (flag `possible_duplicate`). */
  nearDuplicateOf?: string | null;
  flags: string[];
  /** Why a person must look at it (empty when it is approved automatically). */
  reviewReasons: string[];
  submittedBy: { userId: string | null; actor: string };
  submittedAt: string;
}

export interface ProofOcrCompletedData {
  escrowId: string;
  proofId: string;
  status: string;
  engine: string | null;
  fields: Record<string, string | null>;
  /** Metadata fields OCR filled (it never overwrites a client value). */
  filled: string[];
  reason: string | null;
  completedAt: string;
}

export interface ProofAiAssessedData {
  escrowId: string;
  proofId: string;
  riskLevel: 'clean' | 'warning' | 'suspect' | 'unavailable';
  score: string | null;
  flags: string[];
  explanation: string;
  reason: string | null;
  model: string;
  checkedAt: string;
}

export interface ProofApprovedData {
  escrowId: string;
  proofId: string;
  milestoneId: string;
  by: 'auto' | 'review';
  note: string | null;
  reviewedBy: string | null;
  approvedAt: string;
}

export interface ProofRejectedData {
  escrowId: string;
  proofId: string;
  milestoneId: string;
  note: string | null;
  reviewedBy: string;
  rejectedAt: string;
}

export interface ProofSupersededData {
  escrowId: string;
  proofId: string;
  milestoneId: string;
  /** The milestone was paid another way (a release, client-approve), or the escrow closed. */
  reason: 'milestone_paid' | 'escrow_closed';
  supersededAt: string;
}

export interface MilestoneReopenedData {
  escrowId: string;
  milestoneId: string;
  proofId: string;
  reopenedAt: string;
}

export type EscrowEvent =
  | { type: 'escrow.created.v1'; data: EscrowCreatedData }
  | { type: 'escrow.deposit_initiated.v1'; data: DepositInitiatedData }
  | { type: 'escrow.deposit_confirmed.v1'; data: DepositConfirmedData }
  | { type: 'escrow.deposit_failed.v1'; data: DepositFailedData }
  | { type: 'escrow.deposit_reference_recorded.v1'; data: DepositReferenceRecordedData }
  | { type: 'escrow.funded.v1'; data: EscrowFundedData }
  | { type: 'milestone.added.v1'; data: MilestoneAddedData }
  | { type: 'escrow.delivered.v1'; data: EscrowDeliveredData }
  | { type: 'escrow.cancelled.v1'; data: EscrowCancelledData }
  | { type: 'escrow.refunded.v1'; data: EscrowRefundedData }
  | { type: 'escrow.released.v1'; data: EscrowReleasedData }
  | { type: 'milestone.approved.v1'; data: MilestoneApprovedData }
  | { type: 'milestone.paid.v1'; data: MilestonePaidData }
  | { type: 'payment.initiated.v1'; data: PaymentInitiatedData }
  | { type: 'payment.sent.v1'; data: PaymentSentData }
  | { type: 'payment.settled.v1'; data: PaymentSettledData }
  | { type: 'payment.failed.v1'; data: PaymentFailedData }
  | { type: 'payment.retried.v1'; data: PaymentRetriedData }
  | { type: 'proof.submitted.v1'; data: ProofSubmittedData }
  | { type: 'proof.ocr_completed.v1'; data: ProofOcrCompletedData }
  | { type: 'proof.ai_assessed.v1'; data: ProofAiAssessedData }
  | { type: 'proof.approved.v1'; data: ProofApprovedData }
  | { type: 'proof.rejected.v1'; data: ProofRejectedData }
  | { type: 'proof.superseded.v1'; data: ProofSupersededData }
  | { type: 'milestone.reopened.v1'; data: MilestoneReopenedData }
  | { type: 'payee.allowed.v1'; data: PayeeAllowedData };
