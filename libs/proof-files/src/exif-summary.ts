/**
 * What a proof file's EXIF says about where, when and with what it was taken, read with exifr.
 *
 * Times are the trap: exifr by default turns DateTimeOriginal into a JS Date in the *machine's*
 * zone, so the same photo would read differently on servers in different zones, and a time
 * without a zone would silently become one. Here exifr keeps raw values (`reviveValues: false`)
 * and this module parses them: `capture_time` is the camera's wall clock as written, without a
 * zone; `capture_offset` is OffsetTimeOriginal when the camera wrote one; `gps_time` is UTC by
 * definition (GPSDateStamp + GPSTimeStamp). Nothing here ever assumes UTC for a local time.
 */
import exifr from 'exifr';
import type { ProofFileExif } from '@kob/domain';
import { proofFileLimits } from './proof-file-limits';

export type ExifSummary = ProofFileExif;

/** The tags read; everything else in the file's metadata is ignored. */
const PICKED_TAGS = [
  'Make',
  'Model',
  'Software',
  'DateTimeOriginal',
  'OffsetTimeOriginal',
  'GPSLatitude',
  'GPSLatitudeRef',
  'GPSLongitude',
  'GPSLongitudeRef',
  'GPSDateStamp',
  'GPSTimeStamp',
];

const EXIFR_OPTIONS = {
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: false,
  // Raw values: no Date built in the machine's zone, no translated enums.
  reviveValues: false,
  translateValues: false,
  translateKeys: true,
  mergeOutput: true,
  silentErrors: true,
  pick: PICKED_TAGS,
};

/** exifr's raw output (all of it untrusted: whatever the file claims). */
type RawExif = Record<string, unknown>;

/**
 * Reads the EXIF of an image (a path or its bytes). Null when the file carries no EXIF at all
 * (or none exifr can read); otherwise every field the file has, each null when absent or not
 * well-formed.
 */
export async function readExifSummary(input: string | Buffer): Promise<ExifSummary | null> {
  let raw: RawExif | undefined;
  try {
    raw = (await exifr.parse(input, EXIFR_OPTIONS)) as RawExif | undefined;
  } catch {
    // A file whose metadata exifr cannot walk has, for us, no EXIF: the image itself was
    // decoded separately, and a proof without EXIF goes to review.
    return null;
  }
  if (!raw) return null;
  const found = PICKED_TAGS.some((tag) => raw![tag] !== undefined);
  if (!found) return null;
  return summarise(raw);
}

/** Turns exifr's raw tags into the summary (exported for the specs). */
export function summarise(raw: RawExif): ExifSummary {
  return {
    gps_lat: coordinate(raw.GPSLatitude, raw.GPSLatitudeRef, 'N', 'S', 90),
    gps_lng: coordinate(raw.GPSLongitude, raw.GPSLongitudeRef, 'E', 'W', 180),
    gps_time: gpsTime(raw.GPSDateStamp, raw.GPSTimeStamp),
    capture_time: localDateTime(raw.DateTimeOriginal),
    capture_offset: zoneOffset(raw.OffsetTimeOriginal),
    make: text(raw.Make),
    model: text(raw.Model),
    software: text(raw.Software),
  };
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Degrees, minutes, seconds (three rationals, read as numbers) and a hemisphere letter. Without
 * its reference the sign is unknown, so the coordinate is too: never guessed as N or E.
 */
function coordinate(
  dms: unknown,
  ref: unknown,
  positive: string,
  negative: string,
  max: number,
): number | null {
  const parts = Array.isArray(dms) ? dms : finite(dms) ? [dms] : null;
  if (!parts || parts.length === 0 || parts.length > 3 || !parts.every(finite)) return null;
  const [d = 0, m = 0, s = 0] = parts as number[];
  if (d < 0 || m < 0 || m >= 60 || s < 0 || s >= 60) return null;
  const value = d + m / 60 + s / 3600;
  if (value > max) return null;
  const hemisphere = typeof ref === 'string' ? ref.trim().toUpperCase() : '';
  if (hemisphere === positive) return round(value);
  if (hemisphere === negative) return value === 0 ? 0 : -round(value);
  return null;
}

/** Ten millionths of a degree (about a centimetre): no false precision from float sums. */
const round = (degrees: number): number => Math.round(degrees * 1e7) / 1e7;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Milliseconds since the epoch of a UTC date and time (years below 100 kept as written). */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, 0, 0);
  return date.getTime();
}

function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  return new Date(utcMs(y, mo, d)).getUTCDate() === d;
}

/** `YYYY:MM:DD HH:MM:SS` (EXIF) → `YYYY-MM-DDTHH:mm:ss`, as written (no zone applied). */
function localDateTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return null;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** `+01:00`, `-05:30`; UTC offsets in use run from −12:00 to +14:00. */
function zoneOffset(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59 || minutes > 14 * 60) return null;
  return `${m[1]}${m[2]}:${m[3]}`;
}

/** GPSDateStamp `YYYY:MM:DD` + GPSTimeStamp `[h, m, s]` (UTC) → ISO-8601 UTC, ms precision. */
function gpsTime(date: unknown, time: unknown): string | null {
  if (typeof date !== 'string' || !Array.isArray(time) || time.length !== 3 || !time.every(finite))
    return null;
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})$/.exec(date.trim());
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number) as [number, number, number];
  const [h, mi, s] = time as [number, number, number];
  if (!validDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s >= 60) return null;
  if (!Number.isInteger(h) || !Number.isInteger(mi)) return null;
  const ms = utcMs(y, mo, d, h, mi) + Math.round(s * 1000);
  return new Date(ms).toISOString();
}

/** Printable text, trimmed and bounded; control characters (NUL padding) removed. */
function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const clean = value
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\uD800-\uDFFF]/g, '')
    .trim()
    .slice(0, proofFileLimits.exifTextLengthMax);
  return clean === '' ? null : clean;
}
