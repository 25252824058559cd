/**
 * Opens PDFs with pdfjs-dist (v5, the last major that runs on Node 20) in a worker thread: the
 * library ships as ES modules only, which the worker loads with Node's own `require` (jest's
 * module system cannot), and a worker can be terminated when a hostile or huge document takes
 * longer than its time limit. Returns the page count and, when asked, the text layer. A document
 * pdfjs cannot open is an `unreadable` outcome, never an exception.
 */
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
} as const;

export type PdfReading =
  | { ok: true; pageCount: number; text: string | null }
  | { ok: false; reason: 'unreadable' | 'timeout' | 'busy'; message: string };

// Runs inside the worker (plain CommonJS, Node's own module loader).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const pdfjs = require(workerData.pdfjsPath);
  const doc = await pdfjs.getDocument({
    data: new Uint8Array(workerData.bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: true,
    verbosity: 0,
  }).promise;
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
  await doc.destroy();
})().catch((err) => parentPort.postMessage({ ok: false, message: String((err && err.message) || err) }));
`;

let pdfjsPath: string | undefined;

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
    const timer = setTimeout(() => {
      const i = waiting.indexOf(go);
      if (i >= 0) waiting.splice(i, 1);
      resolve('timeout');
    }, Math.max(0, deadlineMs - Date.now()));
    waiting.push(go);
  });
}

function release(): void {
  running--;
  waiting.shift()?.();
}

export async function readPdf(bytes: Uint8Array, options: { timeoutMs: number; text: boolean }): Promise<PdfReading> {
  const deadlineMs = Date.now() + options.timeoutMs;
  const got = await turn(deadlineMs);
  if (got === 'busy') return { ok: false, reason: 'busy', message: 'too many documents are being read' };
  if (got === 'timeout') return { ok: false, reason: 'timeout', message: `pdf not read within ${options.timeoutMs} ms` };
  try {
    return await readOne(bytes, { ...options, timeoutMs: Math.max(1, deadlineMs - Date.now()) });
  } finally {
    release();
  }
}

async function readOne(bytes: Uint8Array, options: { timeoutMs: number; text: boolean }): Promise<PdfReading> {
  pdfjsPath ??= require.resolve('pdfjs-dist/legacy/build/pdf.mjs');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      bytes,
      pdfjsPath,
      wantText: options.text,
      textPagesMax: pdfLimits.textPagesMax,
      textLengthMax: pdfLimits.textLengthMax,
    },
    // A worker gets its own heap: a hostile document exhausts that, not the API's.
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  try {
    return await new Promise<PdfReading>((resolve) => {
      const timer = setTimeout(
        () => resolve({ ok: false, reason: 'timeout', message: `pdf not read within ${options.timeoutMs} ms` }),
        options.timeoutMs,
      );
      const done = (reading: PdfReading) => {
        clearTimeout(timer);
        resolve(reading);
      };
      worker.once('message', (m: { ok: boolean; pageCount?: number; text?: string | null; message?: string }) =>
        done(m.ok ? { ok: true, pageCount: m.pageCount!, text: m.text ?? null } : { ok: false, reason: 'unreadable', message: m.message ?? 'unreadable' }),
      );
      worker.once('error', (err) => done({ ok: false, reason: 'unreadable', message: err.message }));
      worker.once('exit', (code) => done({ ok: false, reason: 'unreadable', message: `pdf reader stopped (${code})` }));
    });
  } finally {
    await worker.terminate();
  }
}
