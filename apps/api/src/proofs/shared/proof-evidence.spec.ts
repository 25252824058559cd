/** Evidence from a file's EXIF (authoritative, time by trust order) and from client claims. */
import { type FileExif, claimEvidence, fileEvidence } from './proof-evidence';

const exif = (over: Partial<FileExif> = {}): FileExif => ({
  gps_lat: -4.3217,
  gps_lng: 15.3125,
  gps_time: null,
  capture_time: null,
  capture_offset: null,
  make: 'Cam',
  model: 'X',
  software: null,
  ...over,
});

describe('fileEvidence', () => {
  it('trusts GPS time first, then local time with its offset, and never assumes UTC', () => {
    expect(
      fileEvidence(
        exif({
          gps_time: '2026-11-27T09:00:05Z',
          capture_time: '2026-11-27T10:00:00',
          capture_offset: '+01:00',
        }),
        null,
      ),
    ).toMatchObject({
      source: 'file',
      captureTime: '2026-11-27T09:00:05.000Z',
      captureTimeSource: 'gps',
      missingTimezone: false,
    });
    expect(
      fileEvidence(exif({ capture_time: '2026-11-27T10:00:00', capture_offset: '+01:00' }), null),
    ).toMatchObject({
      captureTime: '2026-11-27T09:00:00.000Z',
      captureTimeSource: 'exif_offset',
    });
    // Kinshasa is UTC+1: read as UTC, this photo would look an hour in the future.
    expect(fileEvidence(exif({ capture_time: '2026-11-27T10:00:00' }), null)).toMatchObject({
      captureTime: null,
      missingTimezone: true,
    });
    expect(fileEvidence(null, null)).toMatchObject({
      captureTime: null,
      missingTimezone: false,
      gps: null,
      device: null,
    });
  });

  it('flags client values that disagree with the file', () => {
    const file = exif({ gps_time: '2026-11-27T09:00:00Z' });
    expect(
      fileEvidence(file, {
        exif_timestamp: '2026-11-27T09:00:30Z',
        gps_lat: -4.3217,
        gps_lng: 15.3126,
      }).clientMismatch,
    ).toEqual([]);
    expect(fileEvidence(file, { exif_timestamp: '2026-11-27T08:00:00Z' }).clientMismatch).toEqual([
      'exif_timestamp',
    ]);
    expect(fileEvidence(file, { gps_lat: 48.85, gps_lng: 2.35 }).clientMismatch).toEqual(['gps']);
    expect(
      fileEvidence(exif({ gps_lat: null, gps_lng: null }), { gps_lat: 1, gps_lng: 1 })
        .clientMismatch,
    ).toEqual(['gps']);
    expect(
      fileEvidence(exif({ capture_time: '2026-11-27T10:00:00' }), {
        exif_timestamp: '2026-11-27 10:00:00',
      }).clientMismatch,
    ).toEqual([]);
    expect(fileEvidence(exif(), { exif_timestamp: '2026-11-27T10:00:00Z' }).clientMismatch).toEqual(
      ['exif_timestamp'],
    );
  });
});

describe('fileEvidence: a GPS time and a camera clock that disagree', () => {
  it('notes a fresh GPS time over an old camera time, with or without the camera zone', () => {
    const gps = '2026-11-27T09:00:00Z';
    expect(
      fileEvidence(
        exif({ gps_time: gps, capture_time: '2026-11-27T10:03:00', capture_offset: '+01:00' }),
        null,
      ).timesDisagree,
    ).toBe(false);
    expect(
      fileEvidence(
        exif({ gps_time: gps, capture_time: '2024-11-27T10:00:00', capture_offset: '+01:00' }),
        null,
      ).timesDisagree,
    ).toBe(true);
    // Without the camera's zone, anything within the earth's zones agrees; two years does not.
    expect(
      fileEvidence(exif({ gps_time: gps, capture_time: '2026-11-27T22:00:00' }), null)
        .timesDisagree,
    ).toBe(false);
    expect(
      fileEvidence(exif({ gps_time: gps, capture_time: '2024-11-27T10:00:00' }), null)
        .timesDisagree,
    ).toBe(true);
    expect(fileEvidence(exif({ gps_time: gps }), null).timesDisagree).toBe(false);
  });
});

describe('claimEvidence', () => {
  it('reads the client claim: zoned time, naive time (zone missing), GPS numbers only', () => {
    expect(
      claimEvidence({ exif_timestamp: '2026-11-27T10:00:00+01:00', gps_lat: -4.3, gps_lng: 15.3 }),
    ).toEqual({
      source: 'claim',
      captureTime: '2026-11-27T09:00:00.000Z',
      captureTimeSource: 'client',
      missingTimezone: false,
      captureWindow: null,
      gps: { lat: -4.3, lng: 15.3 },
      clientMismatch: [],
      device: null,
    });
    expect(
      claimEvidence({ exif_timestamp: '2026-11-27T10:00:00', gps_lat: '-4.3', gps_lng: 15.3 }),
    ).toMatchObject({ captureTime: null, missingTimezone: true, gps: null });
    expect(claimEvidence(null)).toMatchObject({
      captureTime: null,
      missingTimezone: false,
      gps: null,
    });
    expect(claimEvidence({ exif_timestamp: '2026-11-27T10:00:00' }).captureWindow).toEqual({
      earliest: '2026-11-26T20:00:00.000Z',
      latest: '2026-11-27T22:00:00.000Z',
    });
  });
});
