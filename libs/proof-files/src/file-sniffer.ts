/**
 * Recognises a file by its first bytes (magic numbers), never by its name or the client's
 * Content-Type. Only JPEG, PNG, PDF and HEIC are proof files; a few other common types are
 * named so that a refusal can say what was sent.
 */
export type ProofMime = 'image/jpeg' | 'image/png' | 'application/pdf' | 'image/heic';

export type Sniffed = { supported: true; mime: ProofMime } | { supported: false; detected: string };

const startsWith = (bytes: Uint8Array, magic: readonly number[], at = 0): boolean =>
  bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);

const ascii = (bytes: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, bytes.length)));

/** HEIF brands whose images are HEVC-coded (the iPhone's HEIC and its sequences). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis']);
/** Generic HEIF brands: HEIC unless the file says it is AVIF. */
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** An `ftyp` box lists a few brands; more than this is not a real file header. */
const FTYP_BRANDS_MAX = 16;

/** The ISO BMFF `ftyp` box's major and compatible brands, or null when there is none. */
function ftypBrands(bytes: Uint8Array): { major: string; compatible: string[] } | null {
  if (bytes.length < 16 || ascii(bytes, 4, 8) !== 'ftyp') return null;
  const boxSize = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  if (boxSize < 16 || boxSize > 8 + 8 + 4 * FTYP_BRANDS_MAX) return null;
  const compatible: string[] = [];
  for (let at = 16; at + 4 <= Math.min(boxSize, bytes.length); at += 4)
    compatible.push(ascii(bytes, at, at + 4));
  return { major: ascii(bytes, 8, 12), compatible };
}

export function sniffFile(head: Uint8Array): Sniffed {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { supported: true, mime: 'image/jpeg' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    return { supported: true, mime: 'image/png' };
  if (ascii(head, 0, 5) === '%PDF-') return { supported: true, mime: 'application/pdf' };
  const ftyp = ftypBrands(head);
  if (ftyp) {
    const brands = [ftyp.major, ...ftyp.compatible];
    if (HEIC_BRANDS.has(ftyp.major)) return { supported: true, mime: 'image/heic' };
    if (brands.some((b) => AVIF_BRANDS.has(b))) return { supported: false, detected: 'image/avif' };
    if (GENERIC_HEIF_BRANDS.has(ftyp.major)) return { supported: true, mime: 'image/heic' };
    return {
      supported: false,
      detected: `video/mp4 or another ISO media file (brand ${JSON.stringify(ftyp.major)})`,
    };
  }
  if (ascii(head, 0, 6) === 'GIF87a' || ascii(head, 0, 6) === 'GIF89a')
    return { supported: false, detected: 'image/gif' };
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    return { supported: false, detected: 'application/zip' };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP')
    return { supported: false, detected: 'image/webp' };
  if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) {
    return { supported: false, detected: 'image/tiff' };
  }
  if (startsWith(head, [0x42, 0x4d])) return { supported: false, detected: 'image/bmp' };
  return { supported: false, detected: looksLikeText(head) ? 'text' : 'unknown' };
}

/** Printable ASCII/UTF-8 and white space only: a text file (for the refusal's message). */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  return head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f));
}
