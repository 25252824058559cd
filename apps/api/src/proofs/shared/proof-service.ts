/**
 * Submitting and reviewing proofs (issue 5, KOBATELA-SPEC §4.4 with its defects fixed). The slow
 * or outside work happens first, outside any optimistic-concurrency retry loop: the file's
 * record and EXIF, a quick duplicate check, OCR of documents, the near-duplicate search and the
 * AI advisor; then one command on the escrow stream decides (rules, sequencing, approval and
 * payout) and claims the file's `proof-sha-{sha256}` reservation in the same atomic append, so a
 * file can back one proof ever, rejected ones included. Payouts it starts are sent after, by the
 * escrow actions.
 */
import Big from 'big.js';
import {
  type EscrowState,
  type ProofEvidence,
  type ProofInvoice,
  type SubmitProof,
  assertProofMetadataSize,
  escrowDecider,
  proofFamily,
  proofTarget,
} from '@kob/domain';
import { DomainError, assert, lastCodePoints, newId, truncateUtf16, uuidV5 } from '@kob/kernel';
import { readReservation } from '@kob/event-store';
import type { EscrowActionResult, EscrowActions } from '../../payments/shared';
import {
  type CommandMetadata,
  type Platform,
  type ReservationClaim,
  idempotencyKeyReused,
} from '@kob/platform';
import { claimEvidence, fileEvidence } from './proof-evidence';
import type {
  AiVerdict,
  InvoiceReader,
  InvoiceTools,
  ProofFileRecord,
  ProofServiceOptions,
  SubmitProofInput,
} from './proof-ports';

export const proofServiceLimits = {
  /** Earlier proofs of one provider compared for a near-duplicate image. */
  nearDuplicateCandidatesMax: 5_000,
} as const;

const proofShaStream = (sha256: string) => `proof-sha-${sha256}`;

function duplicate(sha256: string): DomainError {
  return new DomainError('PROOF_DUPLICATE', 'this file was already used as a proof', 'conflict', {
    sha256,
  });
}

/** What the checks before the append established. */
interface CheckedProof {
  file: ProofFileRecord | null;
  sha256: string;
  proofMetadata: Record<string, unknown> | null;
  evidence: ProofEvidence;
  invoice: ProofInvoice | null;
  ocr: SubmitProof['ocr'];
  nearDuplicateOf: string | null;
  ai: AiVerdict | null;
}

export class ProofService {
  constructor(
    private readonly platform: Platform,
    private readonly actions: EscrowActions,
    private readonly options: ProofServiceOptions,
  ) {}

  async submit(
    input: SubmitProofInput,
    metadata: CommandMetadata,
  ): Promise<EscrowActionResult & { proofId: string }> {
    // The escrow is named by the body, so an Idempotency-Key is kept as an `idem-{id}`
    // reservation (API-RULES.md §4), checked before any rule, OCR or AI work.
    assertProofMetadataSize(input.metadata);
    const idem = metadata.idempotency;
    const proofId = idem ? uuidV5(`${idem.scope}\n${idem.key}`) : newId();
    const replay = idem ? await this.firstAnswer(proofId, metadata) : null;
    if (replay) return replay;
    const { state: escrow } = await this.platform.commands.read(
      `escrow-${input.escrowId}`,
      escrowDecider,
    );
    proofTarget(escrow, input.sequenceIndex); // refuse early: no OCR or AI for a proof that cannot land
    const checked = await this.check(input, escrow);
    const command = this.command(input, escrow, proofId, checked, metadata);
    const claims: ReservationClaim[] = [
      {
        streamId: proofShaStream(checked.sha256),
        owner: `proof:${escrow.escrowId}:${proofId}`,
        data: { stream: `escrow-${escrow.escrowId}`, proofId },
        taken: () => duplicate(checked.sha256),
      },
    ];
    if (idem) {
      claims.push({
        streamId: `idem-${proofId}`,
        // The escrow is part of the owner: the same key for another escrow is not "already ours".
        owner: `proof:${input.escrowId}:${proofId}`,
        data: { target: `escrow-${input.escrowId}`, requestHash: idem.requestHash },
        taken: () => idempotencyKeyReused(),
      });
    }
    const result = await this.actions.run(escrow.escrowId, command, metadata, claims);
    return { ...result, proofId };
  }

  /**
   * A submission already made under this Idempotency-Key: the escrow as the first submission
   * left it (not as it is now, after a review or a release may have moved the proof on), at that
   * submission's position. Null when the key is new.
   */
  private async firstAnswer(
    proofId: string,
    metadata: CommandMetadata,
  ): Promise<(EscrowActionResult & { proofId: string }) | null> {
    const reservation = await readReservation(this.platform.store, `idem-${proofId}`);
    if (reservation.status !== 'claimed') return null;
    const first = await this.platform.commands.findDerived({ decider: escrowDecider, metadata });
    assert(first, `idem-${proofId} is claimed but names no submission`);
    return {
      state: first.state,
      events: [],
      paymentIds: [],
      position: first.position,
      replayed: true,
      proofId,
    };
  }

  /** The outside work, before the append: file, duplicate, OCR, evidence, near-duplicate, AI. */
  private async check(input: SubmitProofInput, escrow: EscrowState): Promise<CheckedProof> {
    const file = input.fileId ? await this.file(input, input.fileId) : null;
    if (file && input.sha256 !== null && input.sha256 !== file.sha256) {
      throw new DomainError('VALIDATION_ERROR', "sha256 is not the upload's", 'invalid', {
        fields: { sha256: ['must be the sha256 of the upload named by storage_key (or file_id)'] },
      });
    }
    const sha256 = file ? file.sha256 : input.sha256!;
    if ((await readReservation(this.platform.store, proofShaStream(sha256))).status === 'claimed')
      throw duplicate(sha256);
    const clientMetadata = withoutAiAssessment(input.metadata);
    // The family the decider will judge by, refused here (A6) before any OCR or AI work; a
    // provider cannot skip OCR or review by naming a document PHOTO.
    const target = escrow.milestones.find((m) => m.sequenceIndex === input.sequenceIndex)!;
    const document =
      proofFamily(target.proofKind, input.proofType, file?.kind ?? null) === 'document';
    const { proofMetadata, invoice, ocr, ocrMismatch } = document
      ? await this.readDocument(file, clientMetadata)
      : { proofMetadata: clientMetadata, invoice: null, ocr: null, ocrMismatch: [] };
    const read = file ? fileEvidence(file.exif, proofMetadata) : claimEvidence(proofMetadata);
    const evidence = { ...read, clientMismatch: [...read.clientMismatch, ...ocrMismatch] };
    const nearDuplicateOf = file?.phash
      ? await this.nearDuplicate(escrow.providerId, await this.options.files.variantHashes(file))
      : null;
    const checked = { file, sha256, proofMetadata, evidence, invoice, ocr, nearDuplicateOf };
    return { ...checked, ai: await this.assess(input, escrow, checked) };
  }

  /** The command the escrow stream decides on, from the checked submission. */
  private command(
    input: SubmitProofInput,
    escrow: EscrowState,
    proofId: string,
    checked: CheckedProof,
    metadata: CommandMetadata,
  ): SubmitProof {
    const { config } = this.platform;
    const { file } = checked;
    return {
      type: 'SubmitProof',
      escrowId: escrow.escrowId,
      proofId,
      sequenceIndex: input.sequenceIndex,
      proofType: input.proofType,
      fileId: file?.fileId ?? null,
      fileKind: file?.kind ?? null,
      storageUrl: file ? null : input.storageUrl,
      sha256: checked.sha256,
      phash: file?.phash ?? null,
      metadata: checked.proofMetadata,
      evidence: checked.evidence,
      invoice: checked.invoice,
      ocr: checked.ocr,
      ai: checked.ai,
      nearDuplicateOf: checked.nearDuplicateOf,
      rules: {
        maxAgeMinutes: config.proofMaxAgeMinutes,
        futureSkewMinutes: config.proofFutureSkewMinutes,
        geofenceToleranceM: config.proofGeofenceToleranceM,
        trustClientMetadata: config.proofTrustClientMetadata,
      },
      submittedBy: { userId: input.uploaderUserId, actor: actorName(metadata) },
      paymentId: newId(),
      now: metadata.now.toISOString(),
    };
  }

  /**
   * The uploaded file, which must be the caller's own upload (admins may use any) and, when the
   * upload named an escrow, be used on that escrow (A7).
   */
  private async file(input: SubmitProofInput, fileId: string): Promise<ProofFileRecord> {
    const file = await this.options.files.find(fileId);
    if (!file) throw new DomainError('PROOF_FILE_NOT_FOUND', 'Proof file not found.', 'not_found');
    const callerUserId = input.uploaderUserId;
    if (callerUserId !== null && file.uploaderUserId !== callerUserId) {
      throw new DomainError(
        'NOT_FILE_UPLOADER',
        'a proof can only use a file its provider uploaded',
        'forbidden',
      );
    }
    if (file.escrowId !== null && file.escrowId !== input.escrowId) {
      throw new DomainError(
        'RELATION_MISMATCH',
        'this file was uploaded for another escrow',
        'forbidden',
        { file_escrow_id: file.escrowId, escrow_id: input.escrowId },
      );
    }
    return file;
  }

  /** OCR (when on and there is a file), merged under the client's values, then normalised. */
  private async readDocument(
    file: ProofFileRecord | null,
    clientMetadata: Record<string, unknown> | null,
  ) {
    const reader = this.options.ocr;
    const ocrResult = reader && file ? await this.ocrOf(reader, file) : null;
    const merged = ocrResult ? this.options.tools.merge(clientMetadata, ocrResult) : null;
    const proofMetadata = merged ? merged.metadata : clientMetadata;
    const normalized = this.options.tools.normalize(proofMetadata);
    if (normalized.errors.length > 0) {
      throw new DomainError(
        'INVOICE_NORMALIZATION_ERROR',
        'Les données de facture sont invalides (montant ou devise).',
        'invalid',
        {
          errors: normalized.errors,
        },
      );
    }
    const text = (key: string) =>
      typeof proofMetadata?.[key] === 'string' ? (proofMetadata[key] as string) : null;
    const ibanLast4 = text('iban_last4');
    const invoice: ProofInvoice = {
      totalAmount: normalized.total,
      currency: normalized.currency,
      invoiceNumber: text('invoice_number'),
      invoiceDate: text('invoice_date'),
      // Code points: a cut through a surrogate pair would make the event unstorable.
      ibanLast4: ibanLast4 === null ? null : lastCodePoints(ibanLast4, 4),
      supplierName: text('supplier_name'),
    };
    const ocr = ocrResult
      ? {
          status: ocrResult.status,
          engine: ocrResult.engine,
          fields: ocrResult.fields,
          filled: merged!.filled,
          reason: ocrResult.reason,
        }
      : null;
    return {
      proofMetadata,
      invoice,
      ocr,
      ocrMismatch: ocrResult
        ? ocrDisagreement(clientMetadata, ocrResult.fields, this.options.tools)
        : [],
    };
  }

  /** OCR of the file's bytes; bytes that cannot be read (another replica's disk) are an OCR error. */
  private async ocrOf(reader: InvoiceReader, file: ProofFileRecord) {
    let bytes: Buffer;
    try {
      bytes = await this.options.files.bytes(file);
    } catch (err) {
      return {
        status: 'error',
        engine: null,
        fields: {},
        reason: truncateUtf16(`the file's bytes cannot be read: ${(err as Error).message}`, 200),
      };
    }
    return reader.read(bytes, file.mime);
  }

  /** An earlier proof by the same provider whose image is nearly this one (a hint for review). */
  private async nearDuplicate(providerId: string, hashes: string[]): Promise<string | null> {
    const rows = await this.platform.db
      .selectFrom('proofs')
      .select(['id', 'phash'])
      .where('provider_id', '=', providerId)
      .where('phash', 'is not', null)
      .orderBy('created_at', 'desc')
      .limit(proofServiceLimits.nearDuplicateCandidatesMax)
      .execute();
    const max = this.platform.config.proofPhashMaxDistance;
    const near = rows.find((r) =>
      hashes.some((h) => this.options.tools.hammingDistance(h, r.phash as string) <= max),
    );
    return near ? (near.id as string) : null;
  }

  private async assess(
    input: SubmitProofInput,
    escrow: EscrowState,
    checked: Omit<CheckedProof, 'ai'>,
  ): Promise<AiVerdict | null> {
    const advisor = this.options.advisor;
    if (!advisor?.enabled) return null;
    const { file, evidence, nearDuplicateOf } = checked;
    // The advisor never blocks a proof: a preview that cannot be made is simply not sent.
    const image =
      file && advisor.wantsImage ? await this.options.files.preview(file).catch(() => null) : null;
    const flags = [
      ...evidence.clientMismatch.map(() => 'client_metadata_mismatch').slice(0, 1),
      ...(nearDuplicateOf ? ['possible_duplicate'] : []),
    ];
    return advisor.assess({
      proofType: input.proofType,
      escrow,
      sequenceIndex: input.sequenceIndex,
      metadata: checked.proofMetadata,
      evidence,
      invoice: checked.invoice,
      ocrStatus: checked.ocr?.status ?? null,
      flags,
      image,
    });
  }
}

/**
 * Client invoice values that the document itself contradicts (OCR never overwrites a client
 * value, so a typed total matching what the milestone expects must not hide what the invoice
 * says): total, currency and number, compared normalised.
 */
function ocrDisagreement(
  client: Record<string, unknown> | null,
  fields: Record<string, string | null>,
  tools: InvoiceTools,
): string[] {
  if (!client) return [];
  const mismatch: string[] = [];
  const typed = tools.normalize(client);
  const read = tools.normalize({
    invoice_total_amount: fields.total_amount,
    invoice_currency: fields.currency,
  });
  if (typed.total !== null && read.total !== null && !new Big(typed.total).eq(read.total))
    mismatch.push('invoice_total_amount');
  if (typed.currency !== null && read.currency !== null && typed.currency !== read.currency)
    mismatch.push('invoice_currency');
  const number = client.invoice_number;
  if (
    typeof number === 'string' &&
    fields.invoice_number &&
    number.trim().toUpperCase() !== fields.invoice_number.trim().toUpperCase()
  ) {
    mismatch.push('invoice_number');
  }
  return mismatch;
}

/** The client's metadata without any `ai_assessment` it sent (only the server assesses). */
function withoutAiAssessment(
  metadata: Record<string, unknown> | null,
): Record<string, unknown> | null {
  if (metadata === null) return null;
  const { ai_assessment: _dropped, ...rest } = metadata;
  return rest;
}

function actorName(metadata: CommandMetadata): string {
  const a = metadata.actor;
  return a.kind === 'system' ? a.name : a.keyPrefix;
}
