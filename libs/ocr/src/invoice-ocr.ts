/**
 * Invoice OCR for document proofs (`PDF`, `INVOICE`, `CONTRACT`; KOBATELA-SPEC §4.4 step 3,
 * §4.6): reads the document's text and the invoice fields in it. It replaces the reference's stub,
 * which always saw empty bytes (OCR-1).
 *
 * - Off (`INVOICE_OCR_ENABLED=false`): `disabled`, and the bytes are not looked at.
 * - PDF with a text layer: that text, through `readPdf` (pdfjs in a worker thread with its own
 *   time limit); engine `pdf-text`, no OCR.
 * - PDF without one (a scan: no letter or digit in its text): its first pages
 *   (`pdfLimits.renderPagesMax`, 3) are rendered at `pdfLimits.renderDpi` (300 dpi, less for a
 *   page over the pixel cap) by `renderPdfPages` (pdfjs + `@napi-rs/canvas`, a declared
 *   dependency, in a worker thread), and each page is OCR'd like an image; engine `pdf-scan`, the
 *   pages' texts read as one. Where `@napi-rs/canvas` cannot be loaded (a platform it has no build
 *   for) a scan is `unsupported`, as it was before rendering existed.
 * - PNG/JPEG: decoded and checked by sharp (pixel limit, EXIF orientation applied, grey, long side
 *   capped), then OCR'd by tesseract.js (`tesseract-engine.ts`: local core and language data,
 *   nothing fetched, one reused engine that a time limit terminates); engine `tesseract`.
 * - `INVOICE_OCR_TIMEOUT_MS` bounds the whole read, waiting included, for a scan the text-layer
 *   read, the rendering and the OCR of every page together; past it the work is stopped
 *   (tesseract's thread terminated, or pdfjs's through `readPdf`/`renderPdfPages`) and the answer
 *   is `timeout`.
 *
 * It never throws for a document: a bad one is `error` with the reason. The result holds the
 * fields and the text's length, never the text (it may hold a full IBAN). Each instance owns one
 * OCR engine, started on the first image and reused: the application holds one per process.
 */
import sharp from 'sharp';
import { type CurrencyScales, assert, truncateUtf16 } from '@kob/kernel';
import { readPdf, renderPdfPages } from '@kob/pdf';
import { emptyInvoiceFields, parseInvoiceText } from './invoice-parser';
import type { OcrEngine, OcrResult, OcrStatus } from './ocr-result';
import {
  type EngineOutcome,
  type EngineStats,
  type OcrLanguage,
  TesseractEngine,
  ocrLanguages,
} from './tesseract-engine';

export type { OcrEngine, OcrResult, OcrStatus } from './ocr-result';

export type OcrMime = 'application/pdf' | 'image/jpeg' | 'image/png';

export const invoiceOcrLimits = {
  /** Decoded pixels of an image (a decompression bomb is refused before it is decoded). */
  imagePixelsMax: 50_000_000,
  /** Long side an image is brought down to before OCR (an A4 page at 360 dpi). */
  imageLongSidePxMax: 4_200,
  /** An idle OCR engine is stopped after this long. */
  engineIdleMsDefault: 60_000,
  /** Characters of an underlying error message kept in `reason`. */
  reasonLengthMax: 200,
} as const;

export interface InvoiceOcrOptions {
  enabled: boolean;
  /** `INVOICE_OCR_TIMEOUT_MS`. */
  timeoutMs: number;
  /** Languages tesseract reads images in (default both). */
  languages?: OcrLanguage[];
  /** The service's `CURRENCIES`: the scale totals are written at (ISO 4217's otherwise). */
  currencyScales?: CurrencyScales;
  engineIdleMs?: number;
}

export interface InvoiceOcrStats {
  calls: Record<OcrStatus, number>;
  engine: EngineStats;
}

const TIMED_OUT = Symbol('timed out');
const SCAN_UNSUPPORTED_REASON =
  "this PDF has no text layer (a scan?) and its pages cannot be rendered to be OCR'd here";

function result(status: OcrStatus, engine: OcrEngine | null, reason: string | null): OcrResult {
  return { status, engine, fields: emptyInvoiceFields(), text_length: 0, reason };
}

function hasText(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

async function withDeadline<T>(
  work: Promise<T>,
  deadlineMs: number,
): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadlineMs - Date.now()));
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/** A grey PNG tesseract reads well, or an error naming what is wrong with the image. */
async function prepareImage(bytes: Buffer): Promise<Buffer> {
  const image = sharp(bytes, {
    limitInputPixels: invoiceOcrLimits.imagePixelsMax,
    failOn: 'error',
  });
  const { format } = await image.metadata();
  if (format !== 'png' && format !== 'jpeg') {
    throw new Error(`not a PNG or JPEG image (${format ?? 'unknown'})`);
  }
  const side = invoiceOcrLimits.imageLongSidePxMax;
  return image
    .autoOrient()
    .resize({ width: side, height: side, fit: 'inside', withoutEnlargement: true })
    .grayscale()
    .png()
    .toBuffer();
}

type ImageOcrOutcome = EngineOutcome | { ok: false; reason: 'decode'; message: string };

/** Prepares an image (sharp: checked, grey, capped) and OCRs it (tesseract), by `deadlineMs`. */
async function ocrImage(
  engine: TesseractEngine,
  bytes: Buffer,
  deadlineMs: number,
): Promise<ImageOcrOutcome> {
  let png: Buffer | typeof TIMED_OUT;
  try {
    png = await withDeadline(prepareImage(bytes), deadlineMs);
  } catch (err) {
    return {
      ok: false,
      reason: 'decode',
      message: err instanceof Error ? err.message : String(err),
    };
  }
  if (png === TIMED_OUT)
    return { ok: false, reason: 'timeout', message: 'the image was not prepared in time' };
  return engine.recognize(png, deadlineMs);
}

function reasonOf(prefix: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return truncateUtf16(`${prefix}: ${message}`, invoiceOcrLimits.reasonLengthMax);
}

const noEngineStats: EngineStats = {
  started: 0,
  stopped: { timeout: 0, idle: 0, failure: 0, close: 0 },
};

/** The engine a document is routed to first (a PDF found to be a scan goes on to `pdf-scan`). */
function engineFor(mime: string): OcrEngine | null {
  if (mime === 'application/pdf') return 'pdf-text';
  return mime === 'image/png' || mime === 'image/jpeg' ? 'tesseract' : null;
}

export class InvoiceOcr {
  private readonly engine: TesseractEngine | null;
  private readonly calls: Record<OcrStatus, number> = {
    ok: 0,
    disabled: 0,
    unsupported: 0,
    no_text: 0,
    timeout: 0,
    error: 0,
  };

  constructor(private readonly options: InvoiceOcrOptions) {
    assert(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0, 'timeoutMs must be > 0');
    const languages = options.languages ?? [...ocrLanguages];
    const idleMs = options.engineIdleMs ?? invoiceOcrLimits.engineIdleMsDefault;
    this.engine = options.enabled ? new TesseractEngine(languages, idleMs) : null;
  }

  /** Reads one document; `timeoutMs` overrides the configured limit for this call. Never throws. */
  async read(bytes: Buffer, mime: OcrMime, call: { timeoutMs?: number } = {}): Promise<OcrResult> {
    const outcome = await this.route(bytes, mime, call.timeoutMs ?? this.options.timeoutMs);
    this.calls[outcome.status]++;
    return outcome;
  }

  /** Calls per status and the engine's starts and stops (for metrics). */
  stats(): InvoiceOcrStats {
    return { calls: { ...this.calls }, engine: this.engine?.stats() ?? noEngineStats };
  }

  /** Stops the OCR engine (shutdown, tests); later reads start a new one. */
  async close(): Promise<void> {
    await this.engine?.close();
  }

  private async route(bytes: Buffer, mime: OcrMime, timeoutMs: number): Promise<OcrResult> {
    if (!this.options.enabled || !this.engine) return result('disabled', null, null);
    const engine = engineFor(mime);
    if (engine === null) {
      return result(
        'unsupported',
        null,
        `documents of type ${truncateUtf16(String(mime), 100)} are not read`,
      );
    }
    try {
      if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
        return result('error', engine, 'the document is empty');
      }
      const deadlineMs = Date.now() + Math.max(1, Math.floor(timeoutMs));
      if (engine === 'pdf-text') return await this.readPdfDocument(this.engine, bytes, deadlineMs);
      const image = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return await this.readImage(this.engine, image, deadlineMs);
    } catch (err) {
      return result('error', engine, reasonOf('the document could not be read', err));
    }
  }

  private fromText(text: string, engine: OcrEngine): OcrResult {
    const fields = parseInvoiceText(text, { currencyScales: this.options.currencyScales });
    return { status: 'ok', engine, fields, text_length: text.length, reason: null };
  }

  /** The text layer; a PDF without one goes on to `readPdfScan`. */
  private async readPdfDocument(
    engine: TesseractEngine,
    bytes: Uint8Array,
    deadlineMs: number,
  ): Promise<OcrResult> {
    const timeoutMs = Math.max(1, deadlineMs - Date.now());
    const reading = await readPdf(bytes, { timeoutMs, text: true });
    if (!reading.ok) {
      return reading.reason === 'timeout'
        ? result('timeout', 'pdf-text', 'the PDF was not read within the OCR time limit')
        : result('error', 'pdf-text', reasonOf('the PDF could not be read', reading.message));
    }
    const text = (reading.text ?? '').trim();
    if (!hasText(text)) return this.readPdfScan(engine, bytes, deadlineMs);
    return this.fromText(text, 'pdf-text');
  }

  /** A PDF without a text layer: its first pages rendered, then OCR'd one after the other. */
  private async readPdfScan(
    engine: TesseractEngine,
    bytes: Uint8Array,
    deadlineMs: number,
  ): Promise<OcrResult> {
    const late = 'the scanned PDF was not read within the OCR time limit';
    const rendering = await renderPdfPages(bytes, {
      timeoutMs: Math.max(1, deadlineMs - Date.now()),
    });
    if (!rendering.ok) {
      switch (rendering.reason) {
        case 'timeout':
          return result('timeout', 'pdf-scan', late);
        case 'unavailable':
          return result(
            'unsupported',
            'pdf-scan',
            reasonOf(SCAN_UNSUPPORTED_REASON, rendering.message),
          );
        default:
          return result(
            'error',
            'pdf-scan',
            reasonOf("the PDF's pages could not be rendered", rendering.message),
          );
      }
    }
    const texts: string[] = [];
    for (const page of rendering.pages) {
      const outcome = await ocrImage(engine, page, deadlineMs);
      if (!outcome.ok) {
        return outcome.reason === 'timeout'
          ? result('timeout', 'pdf-scan', late)
          : result('error', 'pdf-scan', reasonOf('OCR of a rendered page failed', outcome.message));
      }
      texts.push(outcome.text.trim());
    }
    const text = texts.join('\n').trim();
    if (!hasText(text)) {
      return {
        ...result('no_text', 'pdf-scan', "no text was found in the scanned PDF's pages"),
        text_length: text.length,
      };
    }
    return this.fromText(text, 'pdf-scan');
  }

  private async readImage(
    engine: TesseractEngine,
    bytes: Buffer,
    deadlineMs: number,
  ): Promise<OcrResult> {
    const outcome = await ocrImage(engine, bytes, deadlineMs);
    if (!outcome.ok) {
      switch (outcome.reason) {
        case 'timeout':
          return result('timeout', 'tesseract', 'the image was not read within the OCR time limit');
        case 'decode':
          return result(
            'error',
            'tesseract',
            reasonOf('the image could not be decoded', outcome.message),
          );
        default:
          return result('error', 'tesseract', reasonOf('OCR failed', outcome.message));
      }
    }
    const text = outcome.text.trim();
    if (!hasText(text)) {
      return {
        ...result('no_text', 'tesseract', 'no text was found in the image'),
        text_length: text.length,
      };
    }
    return this.fromText(text, 'tesseract');
  }
}
