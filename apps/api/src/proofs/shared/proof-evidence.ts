/**
 * What a proof's evidence is, established before the decider sees it (issue 5): with an uploaded
 * file, the server's reading of its EXIF is authoritative and client values that disagree become
 * the flag `client_metadata_mismatch`; without one, the client's metadata is only a claim. The
 * capture time is taken, in this order of trust, from the GPS date and time (UTC), then
 * `DateTimeOriginal` with `OffsetTimeOriginal`; a time without any zone is never assumed UTC (a
 * phone in Kinshasa would otherwise look an hour in the future): it goes to review.
 */
import type { ProofEvidence, ProofFileExif } from '@kob/domain';
import { distanceM } from '@kob/domain';

/** The file's EXIF as the upload read it (the file record's own type). */
export type FileExif = ProofFileExif;

export const evidenceLimits = {
  /** A client timestamp this far from the file's is a disagreement. */
  clientTimeToleranceMs: 60_000,
  /** Client GPS this far from the file's is a disagreement. */
  clientGpsToleranceM: 25,
  /** The file's GPS time and its camera clock may differ this much before it is a disagreement. */
  cameraClockToleranceMs: 5 * 60_000,
} as const;

const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const NAIVE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

function instant(text: string): string | null {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

function number(value: unknown, min: number, max: number): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max
    ? value
    : null;
}

function clientGps(metadata: Record<string, unknown> | null): { lat: number; lng: number } | null {
  const lat = number(metadata?.gps_lat, -90, 90);
  const lng = number(metadata?.gps_lng, -180, 180);
  return lat !== null && lng !== null ? { lat, lng } : null;
}

const HOUR_MS = 3_600_000;
/** Zones run from UTC−12 to UTC+14: the wall clock is UTC plus that much. */
const ZONE_WEST_MS = 12 * HOUR_MS;
const ZONE_EAST_MS = 14 * HOUR_MS;

/** The instants a wall-clock time without a zone can be. */
function windowOf(naive: string): { earliest: string; latest: string } | null {
  const asUtc = Date.parse(`${naive.replace(' ', 'T')}Z`);
  if (Number.isNaN(asUtc)) return null;
  return {
    earliest: new Date(asUtc - ZONE_EAST_MS).toISOString(),
    latest: new Date(asUtc + ZONE_WEST_MS).toISOString(),
  };
}

type FileTime = Pick<
  ProofEvidence,
  'captureTime' | 'captureTimeSource' | 'missingTimezone' | 'captureWindow' | 'timesDisagree'
>;

/**
 * The capture instant from a file's EXIF, by trust: GPS time, then local time with its offset.
 * When the file holds both, they must agree (within `cameraClockToleranceMs`, or for a clock
 * without a zone, within the zones of the earth): a fresh GPS time written over an old photo
 * otherwise passes for a fresh photo.
 */
function fileTime(exif: FileExif): FileTime {
  const gps = exif.gps_time ? instant(exif.gps_time) : null;
  const naive =
    exif.capture_time && NAIVE.test(exif.capture_time) ? exif.capture_time.replace(' ', 'T') : null;
  const zoned =
    naive && exif.capture_offset && OFFSET.test(exif.capture_offset)
      ? instant(`${naive}${exif.capture_offset}`)
      : null;
  if (gps) {
    let disagree = false;
    if (zoned)
      disagree =
        Math.abs(Date.parse(zoned) - Date.parse(gps)) > evidenceLimits.cameraClockToleranceMs;
    else if (naive) {
      const w = windowOf(naive);
      const t = Date.parse(gps);
      disagree =
        !w ||
        t < Date.parse(w.earliest) - evidenceLimits.cameraClockToleranceMs ||
        t > Date.parse(w.latest) + evidenceLimits.cameraClockToleranceMs;
    }
    return {
      captureTime: gps,
      captureTimeSource: 'gps',
      missingTimezone: false,
      timesDisagree: disagree,
    };
  }
  if (zoned)
    return { captureTime: zoned, captureTimeSource: 'exif_offset', missingTimezone: false };
  if (naive)
    return {
      captureTime: null,
      captureTimeSource: null,
      missingTimezone: true,
      captureWindow: windowOf(naive),
    };
  return { captureTime: null, captureTimeSource: null, missingTimezone: false };
}

/** The client's claimed capture time: zoned → an instant; naive → known, but zone missing. */
function claimedTime(metadata: Record<string, unknown> | null) {
  const ts = metadata?.exif_timestamp;
  if (typeof ts === 'string' && ZONED.test(ts.trim())) {
    const zoned = instant(ts.trim());
    if (zoned)
      return {
        captureTime: zoned,
        captureTimeSource: 'client' as const,
        missingTimezone: false,
        captureWindow: null,
        naive: null,
      };
  }
  if (typeof ts === 'string' && NAIVE.test(ts.trim())) {
    const naive = ts.trim().replace(' ', 'T');
    return {
      captureTime: null,
      captureTimeSource: null,
      missingTimezone: true,
      captureWindow: windowOf(naive),
      naive,
    };
  }
  return {
    captureTime: null,
    captureTimeSource: null,
    missingTimezone: false,
    captureWindow: null,
    naive: null,
  };
}

/** Evidence from an uploaded file (authoritative), noting client values that disagree. */
export function fileEvidence(
  exif: FileExif | null,
  metadata: Record<string, unknown> | null,
): ProofEvidence {
  const e: FileExif = exif ?? {
    gps_lat: null,
    gps_lng: null,
    gps_time: null,
    capture_time: null,
    capture_offset: null,
    make: null,
    model: null,
    software: null,
  };
  const time = fileTime(e);
  const gps = e.gps_lat !== null && e.gps_lng !== null ? { lat: e.gps_lat, lng: e.gps_lng } : null;
  const mismatch: string[] = [];
  const claim = claimedTime(metadata);
  if (claim.captureTime && time.captureTime) {
    if (
      Math.abs(Date.parse(claim.captureTime) - Date.parse(time.captureTime)) >
      evidenceLimits.clientTimeToleranceMs
    )
      mismatch.push('exif_timestamp');
  } else if (claim.naive && e.capture_time) {
    if (claim.naive.slice(0, 19) !== e.capture_time.slice(0, 19)) mismatch.push('exif_timestamp');
  } else if ((claim.captureTime || claim.naive) && !time.captureTime && !time.missingTimezone) {
    mismatch.push('exif_timestamp');
  }
  const cgps = clientGps(metadata);
  if (cgps && (!gps || distanceM(cgps, gps) > evidenceLimits.clientGpsToleranceM))
    mismatch.push('gps');
  const device = exif ? { make: e.make, model: e.model, software: e.software } : null;
  return { source: 'file', ...time, gps, clientMismatch: mismatch, device };
}

/** Evidence from client metadata alone (no file): a claim, reviewed unless trusted. */
export function claimEvidence(metadata: Record<string, unknown> | null): ProofEvidence {
  const { naive: _naive, ...time } = claimedTime(metadata);
  return { source: 'claim', ...time, gps: clientGps(metadata), clientMismatch: [], device: null };
}
