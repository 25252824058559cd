/** What one OCR read answers (`InvoiceOcr.read`): never the document's text, only its length. */
import type { InvoiceFields } from './invoice-parser';

/**
 * - `ok`: text was read (fields may still be null where the text did not say);
 * - `disabled`: `INVOICE_OCR_ENABLED` is false, the bytes were not looked at;
 * - `unsupported`: a type OCR does not read, or a scanned PDF (no text layer) where its pages
 *   cannot be rendered (`@napi-rs/canvas` has no build for the platform);
 * - `no_text`: the image, or the scanned PDF's rendered pages, were OCR'd and hold no text;
 * - `timeout`: `INVOICE_OCR_TIMEOUT_MS` passed; the work was stopped;
 * - `error`: the document could not be read (corrupt, not what its type says…).
 */
export type OcrStatus = 'ok' | 'disabled' | 'unsupported' | 'no_text' | 'timeout' | 'error';
/**
 * `pdf-text`: the PDF's own text layer (pdfjs); `tesseract`: OCR of an image; `pdf-scan`: OCR
 * (tesseract) of a PDF's first pages rendered to images (pdfjs + `@napi-rs/canvas`), for a PDF
 * without a text layer. OCR'd text is less reliable than a text layer: a reviewer can tell which
 * it was by this name (the proof's `ocr_provider`).
 */
export type OcrEngine = 'pdf-text' | 'pdf-scan' | 'tesseract';

export interface OcrResult {
  status: OcrStatus;
  /** The engine the document was routed to; null when none was (disabled, unsupported type). */
  engine: OcrEngine | null;
  fields: InvoiceFields;
  /** Characters of text read; the text itself is never kept (it may hold a full IBAN). */
  text_length: number;
  /** Why the status is not `ok`; null when it is `ok` or `disabled`. */
  reason: string | null;
}
