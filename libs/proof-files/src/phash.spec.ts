/**
 * The perceptual hash: a re-encoded, resized and brightened copy of a scene stays within a few
 * bits of the original; a different scene is far away; the distance is a true Hamming distance.
 */
import sharp from 'sharp';
import { makePhoto, nearDuplicate } from '@test/photos';
import { hammingDistance, hashOfSample, perceptualHash } from './phash';

const hashOf = (bytes: Buffer) => perceptualHash(sharp(bytes).rotate());

describe('perceptual hash', () => {
  it('keeps near-duplicates close and different scenes far apart', async () => {
    for (const scene of [1, 2, 5]) {
      const photo = await makePhoto({ scene });
      const original = await hashOf(photo);
      const near = await hashOf(await nearDuplicate(photo));
      const other = await hashOf(await makePhoto({ scene: scene + 100 }));
      expect(original).toMatch(/^[0-9a-f]{16}$/);
      expect(hammingDistance(original, near)).toBeLessThanOrEqual(10);
      expect(hammingDistance(original, other)).toBeGreaterThan(20);
    }
  });

  it('is deterministic, and barely moves for the same pixels in another container', async () => {
    const jpeg = await makePhoto({ scene: 9 });
    expect(await hashOf(jpeg)).toBe(await hashOf(Buffer.from(jpeg)));
    // JPEG decoding may shrink on load (DCT scaling) where PNG cannot: a bit or two may differ.
    const png = await sharp(jpeg).png().toBuffer();
    expect(hammingDistance(await hashOf(png), await hashOf(jpeg))).toBeLessThanOrEqual(3);
  });

  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('0f00000000000001', '0000000000000000')).toBe(5);
    expect(() => hammingDistance('xyz', '0000000000000000')).toThrow(TypeError);
  });

  it('sets about half the bits (median split) on a structured sample', () => {
    const sample = Uint8Array.from(
      { length: 32 * 32 },
      (_, i) => ((i % 32) * 7 + Math.floor(i / 32) * 3) % 256,
    );
    const bits = hammingDistance(hashOfSample(sample), '0000000000000000');
    expect(bits).toBeGreaterThanOrEqual(24);
    expect(bits).toBeLessThanOrEqual(40);
  });
});
