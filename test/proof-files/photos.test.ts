/**
 * The test photos themselves (test/support/photos.ts): what sharp's `withExif` writes is read
 * back by exifr as raw tags, so the upload tests rest on real EXIF, not on the reader under test.
 */
import exifr from 'exifr';
import sharp from 'sharp';
import { dmsRational, makePhoto, nearDuplicate } from '../support/photos';

const raw = (bytes: Buffer) =>
  exifr.parse(bytes, { reviveValues: false, translateValues: false, mergeOutput: true });

describe('test photos', () => {
  it('writes device, capture time with offset, GPS position and time as EXIF that exifr reads back', async () => {
    const jpeg = await makePhoto({
      gps: { lat: -4.3217, lng: 15.3125 },
      gpsTime: new Date('2026-11-27T13:30:05.250Z'),
      capture: { at: new Date('2026-11-27T13:30:05Z'), offset: '+01:00' },
    });
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    const tags = await raw(jpeg);
    expect(tags).toMatchObject({
      Make: 'Kobatela Test',
      Model: 'SceneCam 2',
      Software: 'photos.ts 1.0',
      DateTimeOriginal: '2026:11:27 14:30:05',
      OffsetTimeOriginal: '+01:00',
      GPSLatitudeRef: 'S',
      GPSLongitudeRef: 'E',
      GPSDateStamp: '2026:11:27',
      GPSTimeStamp: [13, 30, 5.25],
    });
    expect(tags.GPSLatitude[0] + tags.GPSLatitude[1] / 60 + tags.GPSLatitude[2] / 3600).toBeCloseTo(
      4.3217,
      7,
    );
  });

  it('writes PNGs with EXIF too, and photos with none at all', async () => {
    const png = await makePhoto({ format: 'png', gps: { lat: 48.8566, lng: -2.35 } });
    expect((await sharp(png).metadata()).format).toBe('png');
    expect(await raw(png)).toMatchObject({
      GPSLatitudeRef: 'N',
      GPSLongitudeRef: 'W',
      Make: 'Kobatela Test',
    });
    expect(await exifr.parse(await makePhoto({ exif: false }))).toBeUndefined();
    const noTime = await raw(await makePhoto({ gps: { lat: 1, lng: 2 } }));
    expect(noTime.DateTimeOriginal).toBeUndefined();
    expect(noTime.GPSDateStamp).toBeUndefined();
  });

  it('writes a local capture time without a zone when no offset is given', async () => {
    const tags = await raw(await makePhoto({ capture: { at: new Date('2026-01-02T03:04:05Z') } }));
    expect(tags.DateTimeOriginal).toBe('2026:01:02 03:04:05');
    expect(tags.OffsetTimeOriginal).toBeUndefined();
  });

  it('encodes degrees as exact rationals, carrying rounded seconds', () => {
    expect(dmsRational(-4.32)).toBe('4/1 19/1 12000/1000');
    expect(dmsRational(10.9999999999)).toBe('11/1 0/1 0/1000');
  });

  it('draws the same scene for the same seed and another for another seed; near-duplicates are smaller', async () => {
    const a = await sharp(await makePhoto({ scene: 3, exif: false }))
      .raw()
      .toBuffer();
    const b = await sharp(await makePhoto({ scene: 3, exif: false }))
      .raw()
      .toBuffer();
    const c = await sharp(await makePhoto({ scene: 4, exif: false }))
      .raw()
      .toBuffer();
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
    const near = await nearDuplicate(await makePhoto({ scene: 3 }));
    expect(await sharp(near).metadata()).toMatchObject({ width: 768, height: 576 });
  });
});
