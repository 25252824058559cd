/**
 * Inspecting uploads on disk: JPEG, PNG, PDF and HEIC are read in full (size, hash, pixels or
 * pages, EXIF, perceptual hash); other types are 415; a proof type that does not decode is 422
 * UNREADABLE_FILE; every refusal is a FileRejected, never a library's exception.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { minimalPdf } from '@test/pdfs';
import { makePhoto } from '@test/photos';
import fc from 'fast-check';
import { FileRejected } from './file-rejected';
import { inspectFile } from './file-inspector';
import { hammingDistance } from './phash';
import { sharp } from './sharp-settings';

const HEIC_FIXTURE = path.resolve(__dirname, '../../../test/proof-files/fixtures/scene-7.heic');

describe('inspectFile', () => {
  let dir: string;
  let n = 0;
  const onDisk = async (bytes: Buffer | string) => {
    const file = path.join(dir, `f${n++}`);
    await writeFile(file, bytes);
    return file;
  };
  const rejection = async (bytes: Buffer | string): Promise<FileRejected> => {
    const err = await inspectFile(await onDisk(bytes)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FileRejected);
    return err as FileRejected;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'inspect-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a JPEG: hash, size, displayed size, EXIF and perceptual hash', async () => {
    const photo = await makePhoto({ width: 800, height: 600, gps: { lat: 51.5, lng: -0.125 } });
    const file = await inspectFile(await onDisk(photo));
    expect(file).toMatchObject({
      sha256: createHash('sha256').update(photo).digest('hex'),
      size: photo.length,
      mime: 'image/jpeg',
      kind: 'image',
      width: 800,
      height: 600,
      pageCount: null,
      exif: { gps_lat: 51.5, gps_lng: -0.125, make: 'Kobatela Test' },
    });
    expect(file.phash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('reports the size as displayed when the EXIF orientation turns the image', async () => {
    const turned = await makePhoto({ width: 800, height: 600, orientation: 6 });
    expect(await inspectFile(await onDisk(turned))).toMatchObject({ width: 600, height: 800 });
  });

  it('reads a PNG without EXIF and a PDF with its pages', async () => {
    expect(
      await inspectFile(
        await onDisk(await makePhoto({ format: 'png', exif: false, width: 300, height: 200 })),
      ),
    ).toMatchObject({
      mime: 'image/png',
      width: 300,
      height: 200,
      exif: null,
    });
    const pdf = minimalPdf('Invoice 42');
    expect(await inspectFile(await onDisk(pdf))).toEqual({
      sha256: createHash('sha256').update(pdf).digest('hex'),
      size: pdf.length,
      mime: 'application/pdf',
      kind: 'pdf',
      width: null,
      height: null,
      pageCount: 1,
      exif: null,
      phash: null,
    });
  });

  it('decodes HEIC with the WebAssembly decoder, EXIF included, hashing like the same scene in JPEG', async () => {
    const heic = await readFile(HEIC_FIXTURE);
    const file = await inspectFile(await onDisk(heic));
    expect(file).toMatchObject({
      mime: 'image/heic',
      kind: 'image',
      width: 640,
      height: 480,
      exif: {
        gps_lat: -4.3217,
        gps_lng: 15.3125,
        gps_time: '2026-11-27T13:30:05.000Z',
        capture_time: '2026-11-27T14:30:05',
        capture_offset: '+01:00',
      },
    });
    const jpeg = await inspectFile(
      await onDisk(await makePhoto({ scene: 7, width: 640, height: 480 })),
    );
    expect(hammingDistance(file.phash!, jpeg.phash!)).toBeLessThanOrEqual(6);
  });

  it('refuses other types with 415 naming what was sent', async () => {
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///ywAAAAAAQABAAACAUwAOw==', 'base64');
    expect(await rejection(gif)).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      details: { detected: 'image/gif' },
    });
    expect(await rejection('just some text\n')).toMatchObject({
      status: 415,
      details: { detected: 'text' },
    });
    expect(await rejection(Buffer.from('PK\x03\x04zip', 'latin1'))).toMatchObject({
      status: 415,
      details: { detected: 'application/zip' },
    });
    expect(await rejection('')).toMatchObject({ status: 422, code: 'VALIDATION_ERROR' });
  });

  it('refuses proof types that do not decode with 422 UNREADABLE_FILE', async () => {
    const photo = await makePhoto();
    expect(await rejection(photo.subarray(0, Math.floor(photo.length * 0.7)))).toMatchObject({
      status: 422,
      code: 'UNREADABLE_FILE',
    });
    const png = await makePhoto({ format: 'png' });
    expect(await rejection(png.subarray(0, Math.floor(png.length * 0.7)))).toMatchObject({
      status: 422,
      code: 'UNREADABLE_FILE',
    });
    expect(await rejection('%PDF-1.4\nthis is not a PDF body')).toMatchObject({
      status: 422,
      code: 'UNREADABLE_FILE',
    });
    const heic = await readFile(HEIC_FIXTURE);
    expect(await rejection(heic.subarray(0, 2000))).toMatchObject({
      status: 422,
      code: 'UNREADABLE_FILE',
    });
    // A JPEG header with nothing decodable behind it.
    expect(await rejection(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 1, 2, 3]))).toMatchObject({
      status: 422,
      code: 'UNREADABLE_FILE',
    });
  });

  it('refuses every corruption that a decode of every pixel into memory refuses, in JPEG and PNG', async () => {
    // The inspector decodes down to the last row without keeping the rows it passes; whatever
    // a strict decode of the whole image into memory fails on, it fails on too.
    const decodesInMemory = (bytes: Buffer) =>
      sharp(bytes, { failOn: 'warning', sequentialRead: true })
        .greyscale()
        .raw()
        .toBuffer()
        .then(
          () => true,
          () => false,
        );
    for (const format of ['jpeg', 'png'] as const) {
      const good = await makePhoto({ scene: 45, width: 1600, height: 1200, format });
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.double({ min: 0.05, max: 0.98, noNaN: true }),
          fc.oneof(
            fc.uint8Array({ minLength: 1, maxLength: 16 }),
            fc.constantFrom(new Uint8Array(64), new Uint8Array(4).fill(0xff)),
          ),
          async (where, bytes) => {
            const corrupt = Buffer.from(good);
            corrupt.set(
              bytes.subarray(0, corrupt.length),
              Math.floor(where * (corrupt.length - 64)),
            );
            if (await decodesInMemory(corrupt)) return;
            refused++;
            expect(await rejection(corrupt)).toMatchObject({
              status: 422,
              code: 'UNREADABLE_FILE',
            });
          },
        ),
        { numRuns: 40, seed: 16 },
      );
      // Not vacuous: some of the corruptions are ones a decoder sees.
      expect(refused).toBeGreaterThan(5);
    }
  });
});
