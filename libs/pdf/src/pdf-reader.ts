/**
 * Opens PDFs with pdfjs-dist (v5, the last major that runs on Node 20) in a worker thread: the
 * library ships as ES modules only, which the worker loads with Node's own `require` (jest's
 * module system cannot), and a worker can be terminated when a hostile or huge document takes
 * longer than its time limit. A document pdfjs cannot open is an `unreadable` outcome, never an
 * exception.
 *
 * - `readPdf`: the page count and, when asked, the text layer.
 * - `renderPdfPages`: the first pages as PNG images (to OCR a scan). pdfjs's Node build draws on
 *   `@napi-rs/canvas` (its `NodeCanvasFactory` and the `DOMMatrix`/`Path2D`/`ImageData` it
 *   installs), which this project declares; the worker loads it from where pdfjs resolves it, so
 *   both use one module. If the package cannot be loaded on a platform, rendering answers
 *   `unavailable` and text reading is unaffected. A page is drawn at `dpi` unless that would
 *   exceed `pagePixelsMax` pixels or `pageSidePxMax` on a side: a huge MediaBox is drawn at a
 *   lower resolution, never into a canvas of gigabytes. Images inside the PDF above
 *   `imagePixelsMax` are left out by pdfjs rather than decoded.
 *
 * Both take one of `concurrentMax` turns (a bounded queue beyond, then `busy`), and both answer
 * `timeout` once their `timeoutMs` (waiting included) has passed: the worker is terminated, and
 * its turn is given back only once it has really stopped (a native drawing call finishes before
 * a thread can end), so no more than `concurrentMax` documents are ever open.
 *
 * pdfjs reads its wasm decoders (JPEG 2000, JBIG2, ICC colour), CMaps and standard fonts from the
 * files of the installed package, never from the network.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export const pdfLimits = {
  /** Pages whose text is read; the count covers every page. */
  textPagesMax: 50,
  /** Characters of text kept (an invoice fits in far less). */
  textLengthMax: 200_000,
  /**
   * Documents opened at once: a compressed PDF can inflate to gigabytes of buffers that no
   * worker heap limit covers, so only a few run together.
   */
  concurrentMax: 2,
  /** Documents waiting their turn; more are answered `busy` at once. */
  waitingMax: 16,
  /** Pages rendered by `renderPdfPages`: the first ones (and the most a caller may ask for). */
  renderPagesMax: 3,
  /** Resolution pages are rendered at (what OCR reads best), unless the pixel caps lower it. */
  renderDpi: 300,
  /** Highest resolution a caller may ask for. */
  renderDpiMax: 600,
  /** Pixels of one rendered page (A4 and US Legal fit at 300 dpi; larger pages get fewer dpi). */
  pagePixelsMax: 12_000_000,
  /** Pixels on either side of a rendered page (a long thin page is capped too). */
  pageSidePxMax: 8_000,
  /** Pixels of one image inside a PDF that pdfjs decodes; a larger one is left out. */
  imagePixelsMax: 50_000_000,
} as const;

export type PdfFailureReason = 'unreadable' | 'timeout' | 'busy';

export type PdfReading =
  | { ok: true; pageCount: number; text: string | null }
  | { ok: false; reason: PdfFailureReason; message: string };

/** `unavailable`: `@napi-rs/canvas` cannot be loaded here (no build for this platform). */
export type PdfRendering =
  | { ok: true; pageCount: number; pages: Buffer[] }
  | { ok: false; reason: PdfFailureReason | 'unavailable'; message: string };

export interface PdfRenderOptions {
  timeoutMs: number;
  /** Pages rendered from the first: 1 to `renderPagesMax` (default `renderPagesMax`). */
  pagesMax?: number;
  /** 72 to `renderDpiMax` (default `renderDpi`); lowered for a page over the pixel caps. */
  dpi?: number;
}

/** Counts for metrics and tests: documents open in a worker now, and waiting for a turn. */
export interface PdfReaderStats {
  running: number;
  waiting: number;
}

// Runs inside the worker (plain CommonJS, Node's own module loader).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
(async () => {
  const pdfjs = require(workerData.pdfjsPath);
  let canvas = null;
  if (workerData.mode === 'render') {
    try {
      // The module pdfjs itself loads (same resolution), to make the page canvas.
      canvas = createRequire(workerData.pdfjsPath)('@napi-rs/canvas');
    } catch (err) {
      parentPort.postMessage({ ok: false, unavailable: true, message: 'cannot load @napi-rs/canvas: ' + String((err && err.message) || err) });
      return;
    }
  }
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(workerData.bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    // Text: any error is an unreadable document. Render: draw what can be drawn, as viewers do.
    stopAtErrors: workerData.mode !== 'render',
    maxImageSize: workerData.imagePixelsMax,
    wasmUrl: workerData.dataUrls.wasm,
    iccUrl: workerData.dataUrls.icc,
    cMapUrl: workerData.dataUrls.cMap,
    standardFontDataUrl: workerData.dataUrls.standardFont,
    verbosity: 0,
  }).promise;
  try {
    if (workerData.mode === 'render') {
      const pages = [];
      for (let i = 1; i <= Math.min(doc.numPages, workerData.pagesMax); i++) {
        const page = await doc.getPage(i);
        const base = page.getViewport({ scale: 1 });
        if (!(base.width > 0 && base.height > 0 && Number.isFinite(base.width * base.height))) {
          throw new Error('page ' + i + ' has no usable size');
        }
        const scale = Math.min(
          workerData.dpi / 72,
          Math.sqrt(workerData.pagePixelsMax / (base.width * base.height)),
          workerData.pageSidePxMax / Math.max(base.width, base.height),
        );
        const viewport = page.getViewport({ scale });
        const width = Math.max(1, Math.min(workerData.pageSidePxMax, Math.floor(viewport.width + 1e-6)));
        const height = Math.max(1, Math.min(workerData.pageSidePxMax, Math.floor(viewport.height + 1e-6)));
        if (width * height > workerData.pagePixelsMax + workerData.pageSidePxMax * 2) {
          throw new Error('page ' + i + ' is too large to render');
        }
        const surface = canvas.createCanvas(width, height);
        await page.render({ canvasContext: surface.getContext('2d'), viewport }).promise;
        // A copy in an ArrayBuffer of its own, handed over to the parent without another copy.
        pages.push(new Uint8Array(surface.toBuffer('image/png')));
        page.cleanup();
      }
      parentPort.postMessage({ ok: true, pageCount: doc.numPages, pages }, pages.map((p) => p.buffer));
      return;
    }
    let text = null;
    if (workerData.wantText) {
      const parts = [];
      let length = 0;
      for (let i = 1; i <= Math.min(doc.numPages, workerData.textPagesMax) && length < workerData.textLengthMax; i++) {
        const page = await doc.getPage(i);
        const content = await page.getTextContent();
        const line = content.items.map((item) => item.str || '').join(' ');
        parts.push(line);
        length += line.length + 1;
      }
      text = parts.join('\\n').slice(0, workerData.textLengthMax);
    }
    parentPort.postMessage({ ok: true, pageCount: doc.numPages, text });
  } finally {
    await doc.destroy();
  }
})().catch((err) => parentPort.postMessage({ ok: false, message: String((err && err.message) || err) }));
`;

interface WorkerReply {
  ok: boolean;
  pageCount?: number;
  text?: string | null;
  pages?: Uint8Array[];
  unavailable?: boolean;
  message?: string;
}

type WorkerOutcome =
  | { ok: true; reply: WorkerReply }
  | { ok: false; reason: PdfFailureReason | 'unavailable'; message: string };

let pdfjsPath: string | undefined;
let dataUrls: Record<'wasm' | 'icc' | 'cMap' | 'standardFont', string> | undefined;

/** The pdfjs build the worker loads, and its data folders (pdfjs wants a trailing separator). */
function pdfjsFiles(): { pdfjsPath: string; dataUrls: NonNullable<typeof dataUrls> } {
  pdfjsPath ??= require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
  if (!dataUrls) {
    const root = path.dirname(require.resolve('pdfjs-dist/package.json'));
    const dir = (name: string) => path.join(root, name) + path.sep;
    dataUrls = {
      wasm: dir('wasm'),
      icc: dir('iccs'),
      cMap: dir('cmaps'),
      standardFont: dir('standard_fonts'),
    };
  }
  return { pdfjsPath, dataUrls };
}

let running = 0;
const waiting: (() => void)[] = [];

/** A turn among `concurrentMax` readers, waited for within the caller's time; null if refused. */
async function turn(deadlineMs: number): Promise<'ok' | 'busy' | 'timeout'> {
  if (running < pdfLimits.concurrentMax) {
    running++;
    return 'ok';
  }
  if (waiting.length >= pdfLimits.waitingMax) return 'busy';
  return new Promise((resolve) => {
    const go = () => {
      clearTimeout(timer);
      running++;
      resolve('ok');
    };
    const timer = setTimeout(
      () => {
        const i = waiting.indexOf(go);
        if (i >= 0) waiting.splice(i, 1);
        resolve('timeout');
      },
      Math.max(0, deadlineMs - Date.now()),
    );
    waiting.push(go);
  });
}

function release(): void {
  running--;
  waiting.shift()?.();
}

export function pdfReaderStats(): PdfReaderStats {
  return { running, waiting: waiting.length };
}

function timedOut(timeoutMs: number): WorkerOutcome {
  return { ok: false, reason: 'timeout', message: `pdf not read within ${timeoutMs} ms` };
}

/**
 * Runs the worker for one document in a turn. The answer comes at the latest at the deadline;
 * the turn is held until the worker has stopped.
 */
async function inWorker(
  bytes: Uint8Array,
  job: Record<string, unknown>,
  timeoutMs: number,
): Promise<WorkerOutcome> {
  const deadlineMs = Date.now() + timeoutMs;
  const got = await turn(deadlineMs);
  if (got === 'busy')
    return { ok: false, reason: 'busy', message: 'too many documents are being read' };
  if (got === 'timeout') return timedOut(timeoutMs);
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ...job, ...pdfjsFiles(), bytes },
      // A worker gets its own heap: a hostile document exhausts that, not the API's.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
  } catch (err) {
    release();
    return {
      ok: false,
      reason: 'unreadable',
      message: `pdf reader could not start: ${(err as Error).message}`,
    };
  }
  const answer = new Promise<WorkerOutcome>((resolve) => {
    const timer = setTimeout(
      () => resolve(timedOut(timeoutMs)),
      Math.max(1, deadlineMs - Date.now()),
    );
    const done = (outcome: WorkerOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    };
    worker.once('message', (m: WorkerReply) =>
      done(
        m.ok
          ? { ok: true, reply: m }
          : {
              ok: false,
              reason: m.unavailable ? 'unavailable' : 'unreadable',
              message: m.message ?? 'unreadable',
            },
      ),
    );
    worker.once('error', (err) => done({ ok: false, reason: 'unreadable', message: err.message }));
    worker.once('exit', (code) =>
      done({ ok: false, reason: 'unreadable', message: `pdf reader stopped (${code})` }),
    );
  });
  void answer
    .then(() => worker.terminate())
    .catch(() => undefined)
    .finally(release);
  return answer;
}

export async function readPdf(
  bytes: Uint8Array,
  options: { timeoutMs: number; text: boolean },
): Promise<PdfReading> {
  const outcome = await inWorker(
    bytes,
    {
      mode: 'read',
      wantText: options.text,
      textPagesMax: pdfLimits.textPagesMax,
      textLengthMax: pdfLimits.textLengthMax,
      imagePixelsMax: pdfLimits.imagePixelsMax,
    },
    options.timeoutMs,
  );
  if (!outcome.ok) {
    // (`unavailable` is rendering's only: reading needs no canvas.)
    return {
      ok: false,
      reason: outcome.reason === 'unavailable' ? 'unreadable' : outcome.reason,
      message: outcome.message,
    };
  }
  return { ok: true, pageCount: outcome.reply.pageCount!, text: outcome.reply.text ?? null };
}

function checkedInteger(
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max}`);
  return v;
}

/**
 * Renders the first `pagesMax` pages to PNG (white background, the page's /Rotate applied). It
 * never throws for a document; options out of range are a programming error (RangeError).
 */
export async function renderPdfPages(
  bytes: Uint8Array,
  options: PdfRenderOptions,
): Promise<PdfRendering> {
  const pagesMax = checkedInteger(
    options.pagesMax,
    pdfLimits.renderPagesMax,
    1,
    pdfLimits.renderPagesMax,
    'pagesMax',
  );
  const dpi = checkedInteger(options.dpi, pdfLimits.renderDpi, 72, pdfLimits.renderDpiMax, 'dpi');
  const outcome = await inWorker(
    bytes,
    {
      mode: 'render',
      pagesMax,
      dpi,
      pagePixelsMax: pdfLimits.pagePixelsMax,
      pageSidePxMax: pdfLimits.pageSidePxMax,
      imagePixelsMax: pdfLimits.imagePixelsMax,
    },
    options.timeoutMs,
  );
  if (!outcome.ok) return outcome;
  const pages = (outcome.reply.pages ?? []).map((p) =>
    Buffer.from(p.buffer, p.byteOffset, p.byteLength),
  );
  return { ok: true, pageCount: outcome.reply.pageCount!, pages };
}
