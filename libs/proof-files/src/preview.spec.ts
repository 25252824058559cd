/**
 * Previews: images come back as JPEG, upright, at most 1600 px on their longest side, with no
 * EXIF left (checked with exifr); PDFs come back byte for byte.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { minimalPdf } from '@test/pdfs';
import { makePhoto } from '@test/photos';
import { previewOf } from './preview';
import { proofFileLimits } from './proof-file-limits';

const HEIC_FIXTURE = path.resolve(__dirname, '../../../test/proof-files/fixtures/scene-7.heic');
const located = {
  gps: { lat: -4.3217, lng: 15.3125 },
  capture: { at: new Date('2026-11-27T13:30:05Z'), offset: '+01:00' },
};

describe('previewOf', () => {
  it('downscales a large JPEG and strips its EXIF', async () => {
    const photo = await makePhoto({ width: 2400, height: 1800, ...located });
    expect(await exifr.gps(photo)).toBeDefined();
    const preview = await previewOf(photo, 'image/jpeg');
    expect(preview.mime).toBe('image/jpeg');
    expect(await sharp(preview.body).metadata()).toMatchObject({
      format: 'jpeg',
      width: 1600,
      height: 1200,
    });
    expect(proofFileLimits.previewLongestSidePx).toBe(1600);
    expect(await exifr.parse(preview.body)).toBeUndefined();
  });

  it('turns an image upright per its orientation and keeps small images at their size', async () => {
    const turned = await makePhoto({ width: 800, height: 600, orientation: 6 });
    const preview = await previewOf(turned, 'image/jpeg');
    expect(await sharp(preview.body).metadata()).toMatchObject({ width: 600, height: 800 });
    expect((await sharp(preview.body).metadata()).orientation).toBeUndefined();
  });

  it('previews PNG and HEIC as JPEG without metadata', async () => {
    const png = await previewOf(
      await makePhoto({ format: 'png', width: 500, height: 400, ...located }),
      'image/png',
    );
    expect(await sharp(png.body).metadata()).toMatchObject({
      format: 'jpeg',
      width: 500,
      height: 400,
    });
    expect(await exifr.parse(png.body)).toBeUndefined();
    const heic = await previewOf(await readFile(HEIC_FIXTURE), 'image/heic');
    expect(await sharp(heic.body).metadata()).toMatchObject({
      format: 'jpeg',
      width: 640,
      height: 480,
    });
    expect(await exifr.parse(heic.body)).toBeUndefined();
  });

  it('returns a PDF exactly as stored', async () => {
    const pdf = minimalPdf('as stored');
    const preview = await previewOf(pdf, 'application/pdf');
    expect(preview).toEqual({ body: pdf, mime: 'application/pdf' });
  });
});
