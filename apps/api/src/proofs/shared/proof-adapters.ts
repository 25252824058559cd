/**
 * The proof service's ports made real: uploaded files (their record read from the
 * `proof-file-{id}` stream, never from a read model; bytes from the blob store; previews made
 * with sharp), invoice OCR (libs/ocr), and the AI advisor (libs/ai-advisor), whose typed input is
 * built here from the escrow's state: the milestone, the geofence verdict, the document checks
 * of KOBATELA-SPEC §4.8 with the configured amount tolerance. The advisor sanitises that input
 * with its own allowlist before anything leaves the process.
 */
import type { AiProofAdvisor, ProofAssessmentInput } from '@kob/ai-advisor';
import { distanceM, familyOf, proofFileDecider } from '@kob/domain';
import type { CurrencyScales } from '@kob/kernel';
import {
  type InvoiceOcr,
  documentChecks,
  emptyInvoiceFields,
  mergeOcrIntoMetadata,
  normalizeInvoice,
} from '@kob/ocr';
import type { Platform } from '@kob/platform';
import { sharp } from '@kob/proof-files';
import {
  type BlobStore,
  dihedralHashes,
  hammingDistance,
  previewOf,
  proofFileLimits,
} from '@kob/proof-files';
import type {
  AdvisorContext,
  AiVerdict,
  InvoiceReader,
  InvoiceTools,
  ProofAdvisor,
  ProofFileRecord,
  ProofFileSource,
} from './proof-ports';

const OCR_MIMES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
type OcrMime = (typeof OCR_MIMES)[number];

export function proofFileSource(platform: Platform, blobs: BlobStore): ProofFileSource {
  return {
    async find(fileId) {
      const { state } = await platform.commands.read(`proof-file-${fileId}`, proofFileDecider);
      const f = state.file;
      if (!f) return null;
      return {
        fileId: f.fileId,
        sha256: f.sha256,
        mime: f.mime,
        kind: f.kind,
        phash: f.phash,
        exif: f.exif,
        uploaderUserId: f.uploaderUserId,
        uploaderKeyId: f.uploaderKeyId,
        escrowId: f.escrowId ?? null,
      };
    },
    bytes: (record: ProofFileRecord) => blobs.get(record.sha256),
    async variantHashes(record) {
      const stored = record.phash ? [record.phash] : [];
      if (record.mime !== 'image/jpeg' && record.mime !== 'image/png') return stored;
      try {
        const image = sharp(await blobs.get(record.sha256), {
          limitInputPixels: proofFileLimits.imagePixelsMax,
        }).rotate();
        return [...stored, ...(await dihedralHashes(image))];
      } catch {
        return stored;
      }
    },
    async preview(record) {
      if (record.mime === 'application/pdf') return null;
      const preview = await previewOf(await blobs.get(record.sha256), record.mime as 'image/jpeg');
      return { bytes: preview.body, mime: preview.mime };
    },
  };
}

/** OCR of the types it reads; any other (HEIC) is `unsupported` without a call. */
export function invoiceReader(ocr: InvoiceOcr): InvoiceReader {
  return {
    async read(bytes, mime) {
      if (!(OCR_MIMES as readonly string[]).includes(mime)) {
        return {
          status: 'unsupported',
          engine: null,
          fields: { ...emptyInvoiceFields() },
          reason: `${mime} is not read by OCR`,
        };
      }
      const result = await ocr.read(bytes, mime as OcrMime);
      return {
        status: result.status,
        engine: result.engine,
        fields: { ...result.fields },
        reason: result.reason,
      };
    },
  };
}

export function invoiceTools(currencies: CurrencyScales): InvoiceTools {
  return {
    // The reader's result is an OcrResult (invoiceReader), narrowed to what the service needs.
    merge: (metadata, ocr) =>
      mergeOcrIntoMetadata(metadata, {
        ...ocr,
        fields: { ...emptyInvoiceFields(), ...ocr.fields },
      } as unknown as Parameters<typeof mergeOcrIntoMetadata>[1]),
    normalize: (metadata) => normalizeInvoice(metadata, currencies),
    hammingDistance,
  };
}

/** The advisor's typed input, from what the service established. */
export function assessmentInput(
  context: AdvisorContext,
  amountTolerance: string,
): ProofAssessmentInput {
  const { escrow, evidence, invoice } = context;
  const milestone = escrow.milestones.find((m) => m.sequenceIndex === context.sequenceIndex)!;
  const fence = milestone.geofence;
  const distance = fence && evidence.gps ? distanceM(evidence.gps, fence) : null;
  // The family the decider judges by.
  const document = familyOf(milestone.proofKind, context.proofType) === 'document';
  return {
    proof_type: context.proofType,
    milestone: {
      label: milestone.label,
      amount: milestone.amount,
      currency: milestone.currency,
      // A kind-less milestone (D5) takes either family: the advisor reads `ANY`.
      proof_kind: milestone.proofKind ?? 'ANY',
      proof_requirements: milestone.proofRequirements,
    },
    escrow: { amount_total: escrow.amountTotal, currency: escrow.currency, domain: escrow.domain },
    metadata: context.metadata,
    evidence: {
      capture_time: evidence.captureTime,
      capture_time_source: evidence.captureTimeSource,
      gps_present: evidence.gps !== null,
      geofence: fence
        ? {
            configured: true,
            distance_m: distance === null ? null : Math.round(distance),
            inside: distance === null ? null : distance <= fence.radiusM,
          }
        : null,
      exif: evidence.device,
    },
    backend_checks: document
      ? documentChecks(milestone.proofRequirements, context.metadata ?? {}, { amountTolerance })
      : {
          has_metadata: context.metadata !== null && Object.keys(context.metadata).length > 0,
          geofence_configured: fence !== null,
        },
    invoice: invoice
      ? {
          total_amount: invoice.totalAmount,
          currency: invoice.currency,
          invoice_date: invoice.invoiceDate,
          invoice_number: invoice.invoiceNumber,
          iban_last4: invoice.ibanLast4,
          supplier_name: invoice.supplierName,
        }
      : null,
    ocr_status: context.ocrStatus,
    flags: context.flags,
    image: context.image,
  };
}

export function proofAdvisor(
  advisor: AiProofAdvisor,
  amountTolerance: string,
  sendImage: boolean,
): ProofAdvisor {
  return {
    enabled: advisor.enabled,
    wantsImage: sendImage,
    async assess(context): Promise<AiVerdict> {
      const a = await advisor.assess(assessmentInput(context, amountTolerance));
      return {
        riskLevel: a.risk_level,
        score: a.score,
        flags: a.flags,
        explanation: a.explanation,
        reason: a.reason,
        model: a.model,
        checkedAt: a.checked_at,
      };
    },
  };
}
