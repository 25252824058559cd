/**
 * Inspects an uploaded file on disk before anything is recorded: its sha256 and size, its type
 * from its bytes, and proof that it can be read. Images are decoded in full (a truncated JPEG
 * fails here, not later in front of a reviewer), their EXIF is summarised and their perceptual
 * hash computed; PDFs must open in pdfjs (in a worker, with a time limit); HEIC goes through
 * the WebAssembly decoder. Every refusal is a `FileRejected` with its status and code: 415 for
 * a type that is not a proof file, 422 `UNREADABLE_FILE` for a proof type that does not decode.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import type { Sharp } from 'sharp';
import { sharp } from './sharp-settings';
import { readPdf } from '@kob/pdf';
import { assert, truncateUtf16 } from '@kob/kernel';
import { type ExifSummary, readExifSummary } from './exif-summary';
import { FileRejected, unreadableFile, unsupportedType, busy } from './file-rejected';
import { type ProofMime, sniffFile } from './file-sniffer';
import { decodeHeic } from './heic-decoder';
import { perceptualHash } from './phash';
import { proofFileLimits } from './proof-file-limits';

export interface InspectedFile {
  sha256: string;
  size: number;
  mime: ProofMime;
  kind: 'image' | 'pdf';
  /** Images: as displayed (EXIF orientation applied). */
  width: number | null;
  height: number | null;
  pageCount: number | null;
  exif: ExifSummary | null;
  phash: string | null;
}

export interface InspectOptions {
  pdfTimeoutMs?: number;
  heicTimeoutMs?: number;
}

const SUPPORTED = 'JPEG, PNG, PDF or HEIC';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function head(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(proofFileLimits.sniffBytes);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Inspects the file at `path`; resolves with what was read or rejects with a FileRejected. */
export async function inspectFile(
  path: string,
  options: InspectOptions = {},
): Promise<InspectedFile> {
  const { size } = await stat(path);
  if (size === 0)
    throw new FileRejected(422, 'VALIDATION_ERROR', 'the file is empty', {
      fields: { file: ['is empty'] },
    });
  const sniffed = sniffFile(await head(path));
  if (!sniffed.supported) {
    throw unsupportedType(
      `a proof file must be ${SUPPORTED}; this file looks like ${sniffed.detected}`,
      { detected: sniffed.detected },
    );
  }
  const sha256 = await sha256OfFile(path);
  const base = { sha256, size, mime: sniffed.mime };
  switch (sniffed.mime) {
    case 'application/pdf':
      return {
        ...base,
        kind: 'pdf',
        ...(await inspectPdf(path, options.pdfTimeoutMs ?? proofFileLimits.pdfOpenTimeoutMs)),
      };
    case 'image/heic':
      return {
        ...base,
        kind: 'image',
        ...(await inspectHeic(path, options.heicTimeoutMs ?? proofFileLimits.heicDecodeTimeoutMs)),
      };
    case 'image/jpeg':
    case 'image/png':
      return { ...base, kind: 'image', ...(await inspectRaster(path, sniffed.mime)) };
  }
}

type Details = Pick<InspectedFile, 'width' | 'height' | 'pageCount' | 'exif' | 'phash'>;

/** sharp reading an image strictly: a decoder warning (truncated data) is an error. */
export function strictImage(input: string | Buffer): Sharp {
  return sharp(input, {
    failOn: 'warning',
    limitInputPixels: proofFileLimits.imagePixelsMax,
    sequentialRead: true,
  });
}

/** Full-size decodes at once; more wait. */
const FULL_DECODES_MAX = 2;
let decoding = 0;
const decodeQueue: (() => void)[] = [];

/**
 * Every pixel decoded at full size, strictly, at most `FULL_DECODES_MAX` at once: a corrupt or
 * truncated stream fails even when its header reads fine, and a reduced decode (the hash's)
 * would let some corrupt data through. What is asked for is the image's last row: JPEG and PNG
 * data can only be decoded from the top, so libvips (reading sequentially) decodes every row
 * before it, a strip at a time, and drops each once it is passed. Asking for every pixel
 * instead held the whole decoded image, about 50 MB for a 12-megapixel photo.
 */
async function decodeEveryPixel(path: string, height: number): Promise<void> {
  while (decoding >= FULL_DECODES_MAX)
    await new Promise<void>((resolve) => decodeQueue.push(resolve));
  decoding++;
  try {
    await strictImage(path)
      .extract({ left: 0, top: height - 1, width: 1, height: 1 })
      .raw()
      .toBuffer();
  } finally {
    decoding--;
    decodeQueue.shift()?.();
  }
}

async function inspectRaster(path: string, mime: 'image/jpeg' | 'image/png'): Promise<Details> {
  const label = mime === 'image/jpeg' ? 'JPEG' : 'PNG';
  let width: number;
  let height: number;
  let phash: string;
  try {
    const meta = await strictImage(path).metadata();
    if (meta.format !== (mime === 'image/jpeg' ? 'jpeg' : 'png'))
      throw new Error(`decoder saw ${meta.format}`);
    await decodeEveryPixel(path, meta.height ?? 0);
    phash = await perceptualHash(strictImage(path).rotate());
    width = meta.autoOrient?.width ?? meta.width ?? 0;
    height = meta.autoOrient?.height ?? meta.height ?? 0;
  } catch (err) {
    throw unreadableFile(`the ${label} image cannot be decoded: ${reasonOf(err)}`);
  }
  assert(width > 0 && height > 0, 'a decoded image has a size');
  return { width, height, pageCount: null, phash, exif: await readExifSummary(path) };
}

async function inspectHeic(path: string, timeoutMs: number): Promise<Details> {
  const bytes = await readFile(path);
  const decoded = await decodeHeic(bytes, { timeoutMs, pixelsMax: proofFileLimits.imagePixelsMax });
  if (!decoded.ok) {
    if (decoded.reason === 'unavailable') {
      throw unsupportedType(
        `HEIC is not supported here (the WebAssembly HEIC decoder could not be loaded: ${decoded.message}); send JPEG or PNG`,
      );
    }
    throw unreadableFile(`the HEIC image cannot be decoded: ${decoded.message}`);
  }
  const pixels = sharp(decoded.rgba, {
    raw: { width: decoded.width, height: decoded.height, channels: 4 },
  });
  // libheif has applied the HEIF rotation and mirroring: no EXIF orientation on top.
  const phash = await perceptualHash(pixels);
  return {
    width: decoded.width,
    height: decoded.height,
    pageCount: null,
    phash,
    exif: await readExifSummary(bytes),
  };
}

async function inspectPdf(path: string, timeoutMs: number): Promise<Details> {
  const reading = await readPdf(await readFile(path), { timeoutMs, text: false });
  if (!reading.ok) {
    if (reading.reason === 'busy')
      throw busy('too many documents are being opened: send the file again shortly');
    const why =
      reading.reason === 'timeout' ? `it did not open within ${timeoutMs} ms` : reading.message;
    throw unreadableFile(`the PDF cannot be opened: ${why}`);
  }
  if (reading.pageCount < 1) throw unreadableFile('the PDF has no pages');
  return { width: null, height: null, pageCount: reading.pageCount, phash: null, exif: null };
}

/** A decoder's message, first line only and bounded (it goes into an HTTP answer). */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return truncateUtf16(message.split('\n')[0] ?? '', 200) || 'unknown error';
}
