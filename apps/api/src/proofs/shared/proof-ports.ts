/**
 * What the proof service needs from outside (shared/proof-adapters.ts wires the real ones): the
 * uploaded files, invoice OCR, the AI advisor and the invoice tools; and what a submission says.
 */
import type { EscrowState, ProofAiAssessedData, ProofEvidence, ProofInvoice } from '@kob/domain';
import type { FileExif } from './proof-evidence';

export interface ProofFileRecord {
  fileId: string;
  sha256: string;
  mime: string;
  kind: 'image' | 'pdf';
  phash: string | null;
  exif: FileExif | null;
  uploaderUserId: string | null;
  uploaderKeyId: string | null;
  /** The escrow the upload is bound to (A7), or null. */
  escrowId: string | null;
}

/** Where uploaded files are (their records, bytes and EXIF-stripped previews). */
export interface ProofFileSource {
  find(fileId: string): Promise<ProofFileRecord | null>;
  /** The image's perceptual hashes as it is and rotated or mirrored (its stored hash alone if not computable). */
  variantHashes(record: ProofFileRecord): Promise<string[]>;
  bytes(record: ProofFileRecord): Promise<Buffer>;
  preview(record: ProofFileRecord): Promise<{ bytes: Buffer; mime: string } | null>;
}

/** Invoice OCR (libs/ocr): reads a document's total, currency, number… never throws. */
export interface InvoiceReader {
  read(
    bytes: Buffer,
    mime: string,
  ): Promise<{
    status: string;
    engine: string | null;
    fields: Record<string, string | null>;
    reason: string | null;
  }>;
}

/** The advisor's verdict on a proof: what the `proof.ai_assessed` event records of it. */
export type AiVerdict = Omit<ProofAiAssessedData, 'escrowId' | 'proofId'>;

/** The AI proof advisor (libs/ai-advisor), behind what the service needs of it. */
export interface ProofAdvisor {
  readonly enabled: boolean;
  /** Whether it is sent the photo's preview (`AI_PROOF_SEND_IMAGE`): else none is made. */
  readonly wantsImage: boolean;
  assess(context: AdvisorContext): Promise<AiVerdict>;
}

/** What the advisor is told; it sanitises this itself (an allowlist) before sending anything. */
export interface AdvisorContext {
  proofType: string;
  escrow: EscrowState;
  sequenceIndex: number;
  metadata: Record<string, unknown> | null;
  evidence: ProofEvidence;
  invoice: ProofInvoice | null;
  ocrStatus: string | null;
  flags: string[];
  image: { bytes: Buffer; mime: string } | null;
}

export interface InvoiceTools {
  merge(
    metadata: Record<string, unknown> | null,
    ocr: Awaited<ReturnType<InvoiceReader['read']>>,
  ): { metadata: Record<string, unknown>; filled: string[] };
  normalize(metadata: Record<string, unknown> | null): {
    total: string | null;
    currency: string | null;
    errors: string[];
  };
  hammingDistance(a: string, b: string): number;
}

export interface ProofServiceOptions {
  files: ProofFileSource;
  ocr: InvoiceReader | null;
  advisor: ProofAdvisor | null;
  tools: InvoiceTools;
}

export interface SubmitProofInput {
  escrowId: string;
  sequenceIndex: number;
  proofType: string;
  fileId: string | null;
  storageUrl: string | null;
  /** A claim's sha256; beside a file, what the file's sha256 must be (else 422). */
  sha256: string | null;
  metadata: Record<string, unknown> | null;
  /** The caller's user (the provider), to check the file is theirs; null for admin keys. */
  uploaderUserId: string | null;
}
