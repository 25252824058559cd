/**
 * Reading EXIF into the summary: signs from the hemisphere references, GPS time in UTC, the
 * capture time kept as the camera's wall clock whatever the server's zone, offsets only when
 * the camera wrote one, and null (never a guess) for what is missing or malformed.
 */
import { makePhoto } from '@test/photos';
import { readExifSummary, summarise } from './exif-summary';

describe('readExifSummary', () => {
  it('reads position, GPS time, capture time and offset, and the device', async () => {
    const photo = await makePhoto({
      gps: { lat: -4.3217, lng: 15.3125 },
      gpsTime: new Date('2026-11-27T13:30:05.250Z'),
      capture: { at: new Date('2026-11-27T13:30:05Z'), offset: '+01:00' },
    });
    expect(await readExifSummary(photo)).toEqual({
      gps_lat: -4.3217,
      gps_lng: 15.3125,
      gps_time: '2026-11-27T13:30:05.250Z',
      capture_time: '2026-11-27T14:30:05',
      capture_offset: '+01:00',
      make: 'Kobatela Test',
      model: 'SceneCam 2',
      software: 'photos.ts 1.0',
    });
  });

  it('signs coordinates by hemisphere in all four quadrants', async () => {
    for (const [lat, lng] of [
      [48.8566, 2.3522],
      [-33.8688, 151.2093],
      [40.7128, -74.006],
      [-22.9068, -43.1729],
    ] as const) {
      const exif = await readExifSummary(await makePhoto({ gps: { lat, lng } }));
      expect(exif).toMatchObject({
        gps_lat: lat,
        gps_lng: lng,
        gps_time: null,
        capture_time: null,
      });
    }
  });

  it("keeps a capture time without a zone as written, whatever the machine's zone", async () => {
    const photo = await makePhoto({ capture: { at: new Date('2026-06-01T08:15:00Z') } });
    const saved = process.env.TZ;
    try {
      for (const zone of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles']) {
        process.env.TZ = zone;
        expect(await readExifSummary(photo)).toMatchObject({
          capture_time: '2026-06-01T08:15:00',
          capture_offset: null,
          gps_time: null,
        });
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('reads a GPS time alone, and a negative offset', async () => {
    expect(
      await readExifSummary(
        await makePhoto({ gpsTime: new Date('2026-02-28T23:59:59Z'), device: null }),
      ),
    ).toEqual({
      gps_lat: null,
      gps_lng: null,
      gps_time: '2026-02-28T23:59:59.000Z',
      capture_time: null,
      capture_offset: null,
      make: null,
      model: null,
      software: null,
    });
    const west = await readExifSummary(
      await makePhoto({ capture: { at: new Date('2026-03-01T02:00:00Z'), offset: '-05:30' } }),
    );
    expect(west).toMatchObject({ capture_time: '2026-02-28T20:30:00', capture_offset: '-05:30' });
  });

  it('answers null for a photo without EXIF, in JPEG and PNG', async () => {
    expect(await readExifSummary(await makePhoto({ exif: false }))).toBeNull();
    expect(await readExifSummary(await makePhoto({ exif: false, format: 'png' }))).toBeNull();
    expect(await readExifSummary(Buffer.from('not an image at all'))).toBeNull();
  });

  it('reads PNG EXIF (eXIf chunk)', async () => {
    const png = await makePhoto({
      format: 'png',
      gps: { lat: 1.5, lng: -0.25 },
      capture: { at: new Date('2026-01-01T00:00:00Z'), offset: '+00:00' },
    });
    expect(await readExifSummary(png)).toMatchObject({
      gps_lat: 1.5,
      gps_lng: -0.25,
      capture_time: '2026-01-01T00:00:00',
      capture_offset: '+00:00',
    });
  });

  it('turns malformed or incomplete tags into nulls, never guesses', () => {
    expect(
      summarise({
        GPSLatitude: [4, 19, 12],
        // no GPSLatitudeRef: the sign is unknown
        GPSLongitude: [200, 0, 0],
        GPSLongitudeRef: 'E',
        GPSDateStamp: '2026:02:30',
        GPSTimeStamp: [10, 0, 0],
        DateTimeOriginal: '0000:00:00 00:00:00',
        OffsetTimeOriginal: '+25:00',
        Make: 'Cam\u0000\u0000',
        Model: '   ',
        Software: 42,
      }),
    ).toEqual({
      gps_lat: null,
      gps_lng: null,
      gps_time: null,
      capture_time: null,
      capture_offset: null,
      make: 'Cam',
      model: null,
      software: null,
    });
    expect(
      summarise({
        GPSLatitude: [0, 0, 0],
        GPSLatitudeRef: 'S',
        GPSLongitude: [0, 30, 0],
        GPSLongitudeRef: 'w',
      }),
    ).toMatchObject({
      gps_lat: 0,
      gps_lng: -0.5,
    });
  });
});
