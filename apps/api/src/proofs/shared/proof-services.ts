/**
 * The proof services one process shares: the proof service and the escrow actions it pays
 * through (the same instance as the payment services'), wired to the file store, invoice OCR and
 * the AI advisor as configured (`INVOICE_OCR_*`, `AI_PROOF_*`, `ANTHROPIC_*`). `close` stops the
 * OCR engine's worker.
 */
import { AiProofAdvisor } from '@kob/ai-advisor';
import { InvoiceOcr } from '@kob/ocr';
import type { PaymentServices } from '../../payments/shared';
import type { Platform } from '@kob/platform';
import { type BlobStore, DirectoryBlobStore, defaultBlobRoot } from '@kob/proof-files';
import { invoiceReader, invoiceTools, proofAdvisor, proofFileSource } from './proof-adapters';
import { ProofService } from './proof-service';
import type { ProofServiceOptions } from './proof-ports';

export interface ProofServices {
  service: ProofService;
  actions: PaymentServices['actions'];
  blobs: BlobStore;
  ocr: InvoiceOcr;
  advisor: AiProofAdvisor;
  close(): Promise<void>;
}

export function createProofServices(
  platform: Platform,
  payments: PaymentServices,
  overrides: Partial<ProofServiceOptions> & { blobs?: BlobStore } = {},
): ProofServices {
  const { config } = platform;
  const blobs = overrides.blobs ?? new DirectoryBlobStore(defaultBlobRoot(config.dataDir));
  const ocr = new InvoiceOcr({
    enabled: config.invoiceOcrEnabled,
    timeoutMs: config.invoiceOcrTimeoutMs,
    currencyScales: config.currencies,
  });
  const advisor = new AiProofAdvisor({
    enabled: config.aiProofAdvisorEnabled,
    apiKey: config.anthropicApiKey,
    baseUrl: config.anthropicBaseUrl,
    model: config.aiProofAdvisorModel,
    timeoutMs: config.aiProofTimeoutMs,
    breakerFailuresMax: config.aiBreakerFailuresMax,
    breakerCooldownMs: config.aiBreakerCooldownMs,
    sendImage: config.aiProofSendImage,
  });
  const options: ProofServiceOptions = {
    files: overrides.files ?? proofFileSource(platform, blobs),
    ocr:
      overrides.ocr !== undefined
        ? overrides.ocr
        : config.invoiceOcrEnabled
          ? invoiceReader(ocr)
          : null,
    advisor:
      overrides.advisor !== undefined
        ? overrides.advisor
        : proofAdvisor(advisor, config.invoiceAmountTolerance, config.aiProofSendImage),
    tools: overrides.tools ?? invoiceTools(config.currencies),
  };
  return {
    service: new ProofService(platform, payments.actions, options),
    actions: payments.actions,
    blobs,
    ocr,
    advisor,
    close: () => ocr.close(),
  };
}
