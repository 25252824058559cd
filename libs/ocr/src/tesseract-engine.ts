/**
 * Runs tesseract.js for `InvoiceOcr`: one OCR engine, reused across documents, that a time limit
 * can always stop.
 *
 * Why a host thread: tesseract.js runs its engine in a worker thread of its own, but hands that
 * thread back only once it is fully started, and if starting fails (bad language data) its
 * `createWorker` never settles and the thread lives on. So the engine lives in a thread of ours
 * (the "host", like `readPdf`'s worker): tesseract's thread is nested in it, and terminating the
 * host ends both, whatever state they are in. A document that exceeds its time limit terminates
 * the host; the next document starts a new one.
 *
 * Why reuse: starting the engine (wasm core and language models) costs about as much as reading a
 * page (≈0.2–0.35 s each on 2 cores), so one started engine serves the documents that follow. It
 * reads one document at a time (tesseract is single-threaded); others wait in a bounded queue,
 * and a document's time limit counts its wait, so a waiting document that runs out of time leaves
 * the queue without stopping the one being read. An engine idle for `idleMs` is stopped to give
 * its memory back, and an idle host never keeps the process alive.
 *
 * Nothing is fetched: the core is the installed `tesseract.js-core` (tesseract.js's Node worker
 * `require`s it; `corePath` is a browser option), the language data is read from the installed
 * `@tesseract.js-data/<lang>` packages through `langPath`, and `cacheMethod: 'none'` means no
 * cache is read or written (the default writes `<lang>.traineddata` into the working directory).
 * tesseract.js takes a single `langPath` and reads `<langPath>/<lang>.traineddata.gz`, while each
 * language is its own package, so `langPath` is a temp folder of links to the packages' files,
 * made for each engine start and removed once the engine has read them. The `4.0.0_best_int` models are used: they are the LSTM-only models, which
 * tesseract.js itself picks for its default LSTM engine (`4.0.0` adds the legacy engine's data:
 * 4× larger, slower to load, unused here).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { assert } from '@kob/kernel';

export type OcrLanguage = 'eng' | 'fra';
export const ocrLanguages: readonly OcrLanguage[] = ['eng', 'fra'];

export const tesseractLimits = {
  /** Documents waiting for the engine; more are refused at once. */
  queueLengthMax: 32,
  /** Characters of OCR text kept from one image. */
  textLengthMax: 200_000,
} as const;

/** LSTM-only models (see above). */
const TRAINEDDATA_VARIANT = '4.0.0_best_int';
const TESSERACT_OEM_LSTM_ONLY = 1;

export type EngineOutcome =
  { ok: true; text: string } | { ok: false; reason: 'timeout' | 'error'; message: string };

export interface EngineStats {
  started: number;
  stopped: { timeout: number; idle: number; failure: number; close: number };
}

// Runs in the host thread (plain CommonJS, Node's own loader, outside jest's module system).
const HOST_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Tesseract = require(workerData.tesseractPath);
let engine = null;
function start() {
  return new Promise((resolve, reject) => {
    let ready = false;
    Tesseract.createWorker(workerData.languages, workerData.oem, {
      langPath: workerData.langPath,
      gzip: true,
      cacheMethod: 'none',
      logger: () => {},
      // Without it tesseract.js throws job failures from a message handler (uncaught).
      errorHandler: (e) => { if (!ready) reject(new Error(String(e))); },
    }).then((w) => { ready = true; resolve(w); }, reject);
  });
}
parentPort.on('message', async (job) => {
  let started = engine !== null;
  try {
    engine = engine || start();
    const w = await engine;
    started = true;
    const { data } = await w.recognize(Buffer.from(job.image));
    const text = String(data.text || '').slice(0, workerData.textLengthMax);
    parentPort.postMessage({ id: job.id, ok: true, text });
  } catch (err) {
    const message = String((err && err.message) || err);
    parentPort.postMessage({ id: job.id, ok: false, fatal: !started, message });
  }
});
`;

/**
 * A temp folder of links to the installed language files, for one engine start: tesseract reads
 * them while it starts, and the folder is removed as soon as the engine answers or stops.
 */
function stageLanguageFiles(languages: readonly OcrLanguage[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kobatela-ocr-lang-'));
  try {
    for (const lang of languages) {
      const pkg = path.dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
      const file = path.join(pkg, TRAINEDDATA_VARIANT, `${lang}.traineddata.gz`);
      if (!existsSync(file))
        throw new Error(`language data ${lang}/${TRAINEDDATA_VARIANT} is not installed`);
      const link = path.join(dir, `${lang}.traineddata.gz`);
      try {
        symlinkSync(file, link);
      } catch {
        copyFileSync(file, link); // file systems without symlinks
      }
    }
    return dir;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function failed(message: string): EngineOutcome {
  return { ok: false, reason: 'error', message };
}

interface Job {
  id: number;
  image: Uint8Array;
  resolve: (outcome: EngineOutcome) => void;
  timer: NodeJS.Timeout;
}

interface HostReply {
  id: number;
  ok: boolean;
  fatal?: boolean;
  text?: string;
  message?: string;
}

export class TesseractEngine {
  private host: Worker | null = null;
  /** The host's staged language files, until its engine has started (or failed to). */
  private langDir: string | null = null;
  private running: Job | null = null;
  private readonly queue: Job[] = [];
  private idleTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private readonly counters: EngineStats = {
    started: 0,
    stopped: { timeout: 0, idle: 0, failure: 0, close: 0 },
  };

  constructor(
    private readonly languages: readonly OcrLanguage[],
    private readonly idleMs: number,
  ) {
    assert(languages.length > 0, 'at least one OCR language');
    assert(
      languages.every((l) => ocrLanguages.includes(l)),
      `OCR languages are ${ocrLanguages.join(', ')}`,
    );
    assert(Number.isInteger(idleMs) && idleMs > 0, 'idleMs must be a positive integer');
  }

  /** Reads the text of a PNG/JPEG; answers `timeout` at `deadlineMs` (epoch ms), never throws. */
  recognize(image: Uint8Array, deadlineMs: number): Promise<EngineOutcome> {
    if (this.queue.length >= tesseractLimits.queueLengthMax) {
      return Promise.resolve(failed('too many documents waiting for OCR'));
    }
    return new Promise<EngineOutcome>((resolve) => {
      const id = this.nextId++;
      const timer = setTimeout(() => this.expire(id), Math.max(0, deadlineMs - Date.now()));
      this.queue.push({ id, image, resolve, timer });
      this.pump();
    });
  }

  stats(): EngineStats {
    return { started: this.counters.started, stopped: { ...this.counters.stopped } };
  }

  /** Stops the engine; documents waiting or being read answer `error`. */
  async close(): Promise<void> {
    for (const job of this.queue.splice(0)) this.finish(job, failed('OCR engine closed'));
    if (this.running) this.finish(this.running, failed('OCR engine closed'));
    this.running = null;
    await this.stopHost('close');
  }

  private finish(job: Job, outcome: EngineOutcome): void {
    clearTimeout(job.timer);
    job.resolve(outcome);
  }

  private expire(id: number): void {
    const message = 'OCR did not finish within its time limit';
    const waiting = this.queue.findIndex((j) => j.id === id);
    if (waiting >= 0) {
      this.finish(this.queue.splice(waiting, 1)[0]!, { ok: false, reason: 'timeout', message });
      return;
    }
    if (this.running?.id !== id) return;
    this.finish(this.running, { ok: false, reason: 'timeout', message });
    this.running = null;
    void this.stopHost('timeout').then(() => this.pump());
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    this.running = job;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    try {
      const host = this.host ?? this.startHost();
      host.ref();
      host.postMessage({ id: job.id, image: job.image });
    } catch (err) {
      this.running = null;
      this.finish(job, failed(`OCR engine could not start: ${(err as Error).message}`));
      this.pump();
    }
  }

  private startHost(): Worker {
    const langPath = stageLanguageFiles(this.languages);
    this.langDir = langPath;
    const host = new Worker(HOST_SOURCE, {
      eval: true,
      workerData: {
        tesseractPath: require.resolve('tesseract.js'),
        langPath,
        languages: this.languages.join('+'),
        oem: TESSERACT_OEM_LSTM_ONLY,
        textLengthMax: tesseractLimits.textLengthMax,
      },
    });
    host.on('message', (reply: HostReply) => this.onReply(host, reply));
    host.on('error', (err) => this.onHostLost(host, `OCR engine failed: ${err.message}`));
    host.on('exit', (code) => this.onHostLost(host, `OCR engine stopped (${code})`));
    this.host = host;
    this.counters.started++;
    return host;
  }

  private onReply(host: Worker, reply: HostReply): void {
    if (host !== this.host || this.running?.id !== reply.id) return;
    const job = this.running;
    this.running = null;
    this.releaseLanguageFiles(); // the engine has read them (or failed to)
    if (reply.ok) this.finish(job, { ok: true, text: reply.text ?? '' });
    else this.finish(job, failed(reply.message ?? 'OCR failed'));
    // An engine that could not start is not reused: the next document tries a fresh one.
    if (reply.fatal) void this.stopHost('failure').then(() => this.pump());
    else this.afterJob();
  }

  private onHostLost(host: Worker, message: string): void {
    if (host !== this.host) return;
    this.host = null;
    this.releaseLanguageFiles();
    this.counters.stopped.failure++;
    if (this.running) this.finish(this.running, failed(message));
    this.running = null;
    this.pump();
  }

  private afterJob(): void {
    if (this.queue.length > 0) return this.pump();
    this.host?.unref();
    this.idleTimer = setTimeout(() => void this.stopHost('idle'), this.idleMs);
    this.idleTimer.unref();
  }

  private async stopHost(why: keyof EngineStats['stopped']): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const host = this.host;
    if (!host) return;
    // Both before awaiting: a new host may start meanwhile, with files of its own.
    this.host = null; // so its exit is not taken for a failure
    this.releaseLanguageFiles();
    this.counters.stopped[why]++;
    await host.terminate();
  }

  private releaseLanguageFiles(): void {
    if (this.langDir !== null) rmSync(this.langDir, { recursive: true, force: true });
    this.langDir = null;
  }
}
