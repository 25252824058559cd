/**
 * HEIC (HEVC-coded HEIF, the iPhone's format) decoded to RGBA pixels by `heic-decode`, i.e.
 * libheif and libde265 compiled to WebAssembly: sharp's prebuilt libvips reads HEIF containers
 * but only decodes AV1 (AVIF), not HEVC. Decoding runs in a worker thread, as PDFs do, so a
 * 12-megapixel photo (about a second of WebAssembly) does not stall the API's event loop, and a
 * hostile file that takes too long is stopped by terminating the worker.
 *
 * libheif applies the HEIF transforms (`irot`, `imir`, `clap`) while decoding, so the pixels
 * come out as displayed; the EXIF Orientation of a HEIC must not be applied again.
 */
import { Worker } from 'node:worker_threads';
import { proofFileLimits } from './proof-file-limits';

export type HeicDecoding =
  | { ok: true; width: number; height: number; rgba: Buffer }
  | { ok: false; reason: 'unreadable' | 'too_large' | 'timeout' | 'unavailable'; message: string };

// Runs inside the worker (plain CommonJS, Node's own module loader).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
// libheif prints its parse errors on stderr; the outcome is reported as a message instead.
console.log = console.warn = console.error = () => {};
(async () => {
  let decode;
  try {
    decode = require(workerData.modulePath);
  } catch (err) {
    parentPort.postMessage({ ok: false, reason: 'unavailable', message: String((err && err.message) || err) });
    return;
  }
  const images = await decode.all({ buffer: new Uint8Array(workerData.bytes) });
  try {
    const first = images[0];
    if (!first) throw new Error('no image in the HEIF file');
    if (first.width * first.height > workerData.pixelsMax) {
      parentPort.postMessage({ ok: false, reason: 'too_large', message: first.width + 'x' + first.height + ' pixels is more than allowed' });
      return;
    }
    const img = await first.decode();
    const rgba = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
    parentPort.postMessage({ ok: true, width: img.width, height: img.height, rgba }, [rgba.buffer]);
  } finally {
    images.dispose();
  }
})().catch((err) => parentPort.postMessage({ ok: false, reason: 'unreadable', message: String((err && err.message) || err) }));
`;

let modulePath: string | null | undefined;

function heicDecodePath(): string | null {
  if (modulePath === undefined) {
    try {
      modulePath = require.resolve('heic-decode');
    } catch {
      modulePath = null;
    }
  }
  return modulePath;
}

/** Whether the WebAssembly decoder is installed (`heic-decode`); its use is still checked per file. */
export function heicDecoderInstalled(): boolean {
  return heicDecodePath() !== null;
}

/** Decoder workers running now, and the decodes waiting for one (`heicDecodesConcurrentMax`). */
let running = 0;
const waiting: (() => void)[] = [];

async function withDecoderSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= proofFileLimits.heicDecodesConcurrentMax)
    await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/** Decodes the first image of a HEIC file in a worker thread; never throws for a bad file. */
export async function decodeHeic(
  bytes: Uint8Array,
  options: { timeoutMs: number; pixelsMax: number },
): Promise<HeicDecoding> {
  const path = heicDecodePath();
  if (path === null)
    return {
      ok: false,
      reason: 'unavailable',
      message: 'the heic-decode package is not installed',
    };
  return withDecoderSlot(() => decodeInWorker(path, bytes, options));
}

async function decodeInWorker(
  path: string,
  bytes: Uint8Array,
  options: { timeoutMs: number; pixelsMax: number },
): Promise<HeicDecoding> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { bytes, modulePath: path, pixelsMax: options.pixelsMax },
    resourceLimits: { maxOldGenerationSizeMb: proofFileLimits.heicWorkerHeapMb },
  });
  try {
    return await new Promise<HeicDecoding>((resolve) => {
      const timer = setTimeout(
        () =>
          resolve({
            ok: false,
            reason: 'timeout',
            message: `HEIC not decoded within ${options.timeoutMs} ms`,
          }),
        options.timeoutMs,
      );
      const done = (decoding: HeicDecoding) => {
        clearTimeout(timer);
        resolve(decoding);
      };
      worker.once(
        'message',
        (m: {
          ok: boolean;
          width?: number;
          height?: number;
          rgba?: Uint8Array;
          reason?: string;
          message?: string;
        }) => {
          if (
            m.ok &&
            m.rgba &&
            m.width &&
            m.height &&
            m.rgba.byteLength === m.width * m.height * 4
          ) {
            done({
              ok: true,
              width: m.width,
              height: m.height,
              rgba: Buffer.from(m.rgba.buffer, m.rgba.byteOffset, m.rgba.byteLength),
            });
          } else {
            const reason =
              m.reason === 'too_large' || m.reason === 'unavailable' ? m.reason : 'unreadable';
            done({ ok: false, reason, message: m.message ?? 'the HEIC decoder gave no image' });
          }
        },
      );
      worker.once('error', (err) =>
        done({ ok: false, reason: 'unreadable', message: err.message }),
      );
      worker.once('exit', (code) =>
        done({ ok: false, reason: 'unreadable', message: `HEIC decoder stopped (${code})` }),
      );
    });
  } finally {
    await worker.terminate();
  }
}
