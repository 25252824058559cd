/**
 * The WebAssembly HEIC decoder (heic-decode: libheif + libde265) works here: the fixture, an
 * x265-coded HEIC of a test scene, decodes to RGBA pixels close to the scene; garbage, a
 * truncated file, an image above the pixel limit and a slow decode are outcomes, not exceptions;
 * decodes beyond the concurrency limit wait their turn and still finish.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { makePhoto } from '@test/photos';
import { decodeHeic, heicDecoderInstalled } from './heic-decoder';
import { proofFileLimits } from './proof-file-limits';

const FIXTURE = path.resolve(__dirname, '../../../test/proof-files/fixtures/scene-7.heic');
const options = { timeoutMs: 30_000, pixelsMax: proofFileLimits.imagePixelsMax };

describe('decodeHeic', () => {
  it('decodes the HEVC-coded fixture to the pixels of its scene', async () => {
    expect(heicDecoderInstalled()).toBe(true);
    const decoded = await decodeHeic(await readFile(FIXTURE), options);
    if (!decoded.ok) throw new Error(`not decoded: ${decoded.message}`);
    expect({ width: decoded.width, height: decoded.height, bytes: decoded.rgba.length }).toEqual({
      width: 640,
      height: 480,
      bytes: 640 * 480 * 4,
    });
    const heicRgb = await sharp(decoded.rgba, { raw: { width: 640, height: 480, channels: 4 } })
      .removeAlpha()
      .raw()
      .toBuffer();
    const sceneRgb = await sharp(
      await makePhoto({ scene: 7, width: 640, height: 480, exif: false }),
    )
      .raw()
      .toBuffer();
    let diff = 0;
    for (let i = 0; i < sceneRgb.length; i++) diff += Math.abs(sceneRgb[i]! - heicRgb[i]!);
    expect(diff / sceneRgb.length).toBeLessThan(6);
  });

  it('answers unreadable, too_large and timeout as outcomes', async () => {
    const heic = await readFile(FIXTURE);
    expect(await decodeHeic(heic.subarray(0, 1500), options)).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
    expect(await decodeHeic(Buffer.from('not a heic file at all'), options)).toMatchObject({
      ok: false,
      reason: 'unreadable',
    });
    expect(await decodeHeic(heic, { ...options, pixelsMax: 640 * 480 - 1 })).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
    expect(await decodeHeic(heic, { ...options, timeoutMs: 1 })).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
  });

  it('runs more decodes than workers allowed at once, all to completion', async () => {
    const heic = await readFile(FIXTURE);
    const count = proofFileLimits.heicDecodesConcurrentMax * 2 + 1;
    const results = await Promise.all(
      Array.from({ length: count }, () => decodeHeic(heic, options)),
    );
    expect(results.map((r) => r.ok)).toEqual(Array(count).fill(true));
  });
});
