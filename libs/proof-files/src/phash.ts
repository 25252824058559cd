/**
 * A 64-bit perceptual hash (the DCT "pHash"): the image in greyscale at 32 × 32, its 2-D DCT-II,
 * the 8 × 8 block of lowest frequencies after the DC term (rows and columns 1–8), and one bit
 * per coefficient: above the block's median or not. Re-encoding, resizing and small brightness
 * changes move few bits; a different scene moves about half. The lead's near-duplicate rule
 * compares hashes by Hamming distance (`PROOF_PHASH_MAX_DISTANCE`); it is a hint for review,
 * never a money decision.
 */
import type { Sharp } from 'sharp';
import { assert } from '@kob/kernel';
import { proofFileLimits } from './proof-file-limits';

const N = proofFileLimits.phashSamplePx;
const B = proofFileLimits.phashBlockPx;
const HASH = /^[0-9a-f]{16}$/;

/** cos((2x + 1) u π / 2N) for the first B + 1 frequencies, computed once. */
const COS: Float64Array[] = Array.from({ length: B + 1 }, (_, u) =>
  Float64Array.from({ length: N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N))),
);

/** The hash of an image pipeline (already oriented as displayed); consumes the pipeline. */
export async function perceptualHash(image: Sharp): Promise<string> {
  const grey = await image
    .greyscale()
    .resize(N, N, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert(
    grey.info.width === N && grey.info.height === N && grey.info.channels === 1,
    'phash sample is 32x32 grey',
  );
  return hashOfSample(grey.data);
}

/**
 * The hashes of the image and of its 7 rotations and mirrors, from one sample: a mirrored or
 * rotated copy of an earlier photo (or one whose EXIF orientation was changed) then still matches
 * it. Resizing to the square sample commutes with these transforms, so they are applied to it.
 */
export async function dihedralHashes(image: Sharp): Promise<string[]> {
  const grey = await image
    .greyscale()
    .resize(N, N, { fit: 'fill', kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer();
  const at = (x: number, y: number) => grey[y * N + x]!;
  const transforms: ((x: number, y: number) => number)[] = [
    (x, y) => at(x, y),
    (x, y) => at(N - 1 - x, y),
    (x, y) => at(x, N - 1 - y),
    (x, y) => at(N - 1 - x, N - 1 - y),
    (x, y) => at(y, x),
    (x, y) => at(N - 1 - y, x),
    (x, y) => at(y, N - 1 - x),
    (x, y) => at(N - 1 - y, N - 1 - x),
  ];
  return transforms.map((f) => {
    const sample = new Uint8Array(N * N);
    for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) sample[y * N + x] = f(x, y);
    return hashOfSample(sample);
  });
}

/** The hash of an N × N greyscale sample (row-major bytes). */
export function hashOfSample(sample: Uint8Array): string {
  assert(sample.length === N * N, `phash sample must be ${N}x${N}`);
  // Separable DCT: first along rows (x), then along columns (y), low frequencies only.
  const rows = new Float64Array(N * (B + 1));
  for (let y = 0; y < N; y++) {
    for (let u = 0; u <= B; u++) {
      let sum = 0;
      for (let x = 0; x < N; x++) sum += sample[y * N + x]! * COS[u]![x]!;
      rows[y * (B + 1) + u] = sum;
    }
  }
  const block: number[] = [];
  for (let v = 1; v <= B; v++) {
    for (let u = 1; u <= B; u++) {
      let sum = 0;
      for (let y = 0; y < N; y++) sum += rows[y * (B + 1) + u]! * COS[v]![y]!;
      block.push(sum);
    }
  }
  const sorted = [...block].sort((a, b) => a - b);
  const median = (sorted[(B * B) / 2 - 1]! + sorted[(B * B) / 2]!) / 2;
  let hex = '';
  for (let i = 0; i < block.length; i += 4) {
    let nibble = 0;
    for (let j = 0; j < 4; j++) nibble = (nibble << 1) | (block[i + j]! > median ? 1 : 0);
    hex += nibble.toString(16);
  }
  assert(HASH.test(hex), 'phash is 16 hex digits');
  return hex;
}

/** Bits that differ between two hashes (0 = same, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  if (!HASH.test(a) || !HASH.test(b))
    throw new TypeError('a perceptual hash is 16 lower-case hex digits');
  let distance = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16);
    for (; x !== 0; x &= x - 1) distance++;
  }
  return distance;
}
