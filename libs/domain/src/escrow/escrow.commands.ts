/**
 * Escrow commands. Time (`now`) and ids (`escrowId`, `depositId`, `milestoneId`, payment ids)
 * arrive in the command so the decider stays pure; the handler resolves the currency's scale
 * from configuration and checks that client and provider exist; the decider applies the GOV/ONG
 * rule for public/aid escrows to the client's public tag the handler read. A command that may start several payments carries
 * an `idSeed` (a fresh UUID) from which the decider derives their ids (`childId`). Fields the
 * HTTP edge may leave out are optional here and get their defaults in the decider, in one place.
 */
import type {
  EscrowCreatedData,
  Geofence,
  MilestoneAddedData,
  ProofAiAssessedData,
  ProofOcrCompletedData,
  ProofSubmittedData,
} from './escrow.events';
import type { PublicTag } from '../identity/user.events';

/**
 * The escrow as the client asked for it: `scale` is the currency's from `CURRENCIES`, resolved by
 * the handler (like the tally's); the release conditions and domain are checked by the decider.
 */
export interface CreateEscrow extends Omit<
  EscrowCreatedData,
  'releaseConditions' | 'domain' | 'createdAt'
> {
  type: 'CreateEscrow';
  releaseConditions: unknown;
  domain?: string | null;
  /**
   * The client's public tag as its user stream says (the handler reads it): a public or aid
   * escrow needs a GOV or ONG client (PUBLIC_DOMAIN_FORBIDDEN). Left out only where the client
   * was vetted before (fixtures, imports of escrows created by the old service).
   */
  clientPublicTag?: PublicTag | null;
  now: string;
}

export interface Deposit {
  type: 'Deposit';
  escrowId: string;
  /** Derived by the handler from the idempotency scope and key (API-RULES.md §4). */
  depositId: string;
  amount: string;
  /**
   * The service records the deposit's initiation before it asks the PSP (issue 12: money moves
   * only after its intent is recorded), so it always sends null and confirms with
   * `ConfirmDeposit`. A confirmation already in hand may come with the initiation (fixtures and
   * imports): checked the same way, the PSP's reported amount included.
   */
  pspConfirmed: { pspRef: string; reported: ConfirmDeposit['reported'] } | null;
  /**
   * The id of the refund payment if money the PSP collected cannot be kept (the escrow closed or
   * filled up before the confirmation).
   */
  refundPaymentId: string;
  now: string;
}

export interface ConfirmDeposit {
  type: 'ConfirmDeposit';
  escrowId: string;
  depositId: string;
  pspRef: string;
  /**
   * What the PSP says it collected (null where it said nothing). Credited only when it is the
   * amount and currency asked for: any other answer is refused (DEPOSIT_AMOUNT_MISMATCH).
   */
  reported: { amount: string | null; currency: string | null };
  /** Used when the escrow closed before the money arrived: it is refunded at once. */
  refundPaymentId: string;
  now: string;
}

/** A PENDING deposit without a reference gets the one the PSP gave when asked again. */
export interface RecordDepositReference {
  type: 'RecordDepositReference';
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

/** The milestone as the client asked for it; the decider gives the left-out fields defaults. */
export interface AddMilestone extends Pick<
  MilestoneAddedData,
  'escrowId' | 'milestoneId' | 'label' | 'amount' | 'currency' | 'sequenceIndex'
> {
  type: 'AddMilestone';
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
  idSeed: string;
  now: string;
}

/**
 * Approves a milestone and initiates its payout: the client's release (`release`, only the
 * lowest open milestone) and, from the proofs issue, an approved proof (`proof`).
 */
export interface ApproveAndPayMilestone {
  type: 'ApproveAndPayMilestone';
  escrowId: string;
  milestoneId: string;
  paymentId: string;
  source: 'release' | 'proof';
  now: string;
}

export interface ClientApprove {
  type: 'ClientApprove';
  escrowId: string;
  idSeed: string;
  note?: string | null;
  now: string;
}

export interface ClientReject {
  type: 'ClientReject';
  escrowId: string;
  idSeed: string;
  note?: string | null;
  now: string;
}

/** The PSP accepted a payment (the transfer call answered): PENDING → SENT. */
export interface RecordPaymentSent {
  type: 'RecordPaymentSent';
  escrowId: string;
  paymentId: string;
  pspRef: string;
  now: string;
}

/** The PSP declined a payment, or a webhook reported a sent payment failed: → FAILED. */
export interface RecordPaymentFailed {
  type: 'RecordPaymentFailed';
  escrowId: string;
  paymentId: string;
  reason: string;
  webhookEventId?: string | null;
  now: string;
}

/** A PSP webhook reported a sent payment settled: SENT → SETTLED (webhook only). */
export interface SettlePayment {
  type: 'SettlePayment';
  escrowId: string;
  paymentId: string;
  webhookEventId: string;
  now: string;
}

/** A FAILED payment stays owed: a new payment (`retryOf`) pays it. */
export interface RetryPayment {
  type: 'RetryPayment';
  escrowId: string;
  paymentId: string;
  retryPaymentId: string;
  now: string;
}

/** The photo rules' limits (configuration, passed in so the decider stays pure). */
export interface PhotoRules {
  maxAgeMinutes: number;
  futureSkewMinutes: number;
  geofenceToleranceM: number;
  /** Client-typed metadata (no file) is trusted as evidence instead of sent to review. */
  trustClientMetadata: boolean;
}

/**
 * A proof for the milestone at `sequenceIndex`. The handler has read the file (its EXIF is the
 * evidence), run OCR and the AI advisor before this command: the decider applies the rules to
 * what they found, and approves and pays the milestone at once when nothing needs a person.
 */
export interface SubmitProof extends Pick<
  ProofSubmittedData,
  | 'escrowId'
  | 'proofId'
  | 'sequenceIndex'
  | 'proofType'
  | 'fileId'
  | 'storageUrl'
  | 'sha256'
  | 'phash'
  | 'metadata'
  | 'evidence'
  | 'invoice'
  | 'submittedBy'
> {
  type: 'SubmitProof';
  /** What the server read the uploaded file to be; null for a claim (no file). */
  fileKind: 'image' | 'pdf' | null;
  /** What OCR read (document types), recorded with the submission. */
  ocr: Omit<ProofOcrCompletedData, 'escrowId' | 'proofId' | 'completedAt'> | null;
  /** The AI advisor's verdict, recorded with the submission; it decides nothing. */
  ai: Omit<ProofAiAssessedData, 'escrowId' | 'proofId'> | null;
  /** An earlier proof of the same provider whose image is nearly the same (perceptual hash). */
  nearDuplicateOf: string | null;
  rules: PhotoRules;
  /** The payout's id if the proof is approved at once. */
  paymentId: string;
  now: string;
}

/** A person's decision on a PENDING proof (the client, support or admin). */
export interface ReviewProof {
  type: 'ReviewProof';
  escrowId: string;
  proofId: string;
  decision: 'approve' | 'reject';
  note: string | null;
  reviewedBy: string;
  paymentId: string;
  now: string;
}

/** Allows a payee for usage spends (support/admin), with optional daily and total limits. */
export interface AllowPayee {
  type: 'AllowPayee';
  escrowId: string;
  payeeRef: string;
  label: string;
  dailyLimit: string | null;
  totalLimit: string | null;
  now: string;
}

/**
 * A usage spend (the client pays an allowed payee out of what the escrow holds): the payee's
 * daily (UTC day) and total limits and the held balance are decided together here, on the
 * escrow stream, so parallel spends never exceed any of them.
 */
export interface Spend {
  type: 'Spend';
  escrowId: string;
  paymentId: string;
  payeeRef: string;
  amount: string;
  note: string | null;
  now: string;
}

export type EscrowCommand =
  | CreateEscrow
  | Deposit
  | ConfirmDeposit
  | RecordDepositReference
  | FailDeposit
  | AddMilestone
  | MarkDelivered
  | CheckDeadline
  | ApproveAndPayMilestone
  | ClientApprove
  | ClientReject
  | RecordPaymentSent
  | RecordPaymentFailed
  | SettlePayment
  | RetryPayment
  | SubmitProof
  | ReviewProof
  | AllowPayee
  | Spend;
