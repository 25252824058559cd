/**
 * Photos for tests and benchmarks, made here with sharp: a generated scene (an SVG of seeded shapes, so two
 * seeds differ visibly and one seed is always the same picture) rendered to JPEG or PNG, with
 * real EXIF written by sharp's `withExif`: IFD0 Make/Model/Software, Exif IFD DateTimeOriginal
 * and OffsetTimeOriginal, GPS IFD latitude/longitude with their references and GPS date and
 * time. Each part is optional, so a test states exactly what its photo carries: a position in
 * either hemisphere, a capture time with or without its zone offset, a GPS time alone, no GPS,
 * or no EXIF at all. `nearDuplicate` makes the same scene re-encoded, resized and brightened.
 *
 * sharp's `withExif` takes strings: rationals are `num/den` separated by spaces
 * (`"4/1 19/1 12360/1000"` for 4° 19′ 12.36″), dates `YYYY:MM:DD HH:MM:SS`.
 */
import sharp from 'sharp';

export interface PhotoOptions {
  /** The scene's seed: the same seed draws the same picture. Default 1. */
  scene?: number;
  format?: 'jpeg' | 'png';
  width?: number;
  height?: number;
  /** Written as GPSLatitude/Ref and GPSLongitude/Ref (signs → N/S, E/W). */
  gps?: { lat: number; lng: number } | null;
  /** Written as GPSDateStamp + GPSTimeStamp (UTC, whole milliseconds kept). */
  gpsTime?: Date | null;
  /**
   * DateTimeOriginal: the wall clock at `offset` (e.g. `+01:00`) of the instant `at`, and
   * OffsetTimeOriginal = `offset`. Without an offset the wall clock written is `at`'s UTC fields
   * and no OffsetTimeOriginal is written (a camera that knows no zone).
   */
  capture?: { at: Date; offset?: string | null } | null;
  /** IFD0 Make/Model/Software; null writes none of them. */
  device?: { make: string; model: string; software: string } | null;
  /** false: no EXIF at all (the other EXIF options are ignored). */
  exif?: boolean;
  /** EXIF Orientation (1–8); sharp writes it apart from the other tags. */
  orientation?: number;
}

export const DEFAULT_DEVICE = {
  make: 'Kobatela Test',
  model: 'SceneCam 2',
  software: 'photos.ts 1.0',
};

/** A small seeded PRNG (mulberry32): deterministic scenes without a dependency. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An SVG scene: a gradient sky, a ground, and seeded shapes of seeded colours. */
export function sceneSvg(seed: number, width: number, height: number): string {
  const rnd = prng(seed * 7919 + 13);
  const colour = () =>
    `rgb(${Math.floor(rnd() * 256)},${Math.floor(rnd() * 256)},${Math.floor(rnd() * 256)})`;
  const shapes: string[] = [];
  const shapesCount = 14;
  for (let i = 0; i < shapesCount; i++) {
    const x = Math.round(rnd() * width);
    const y = Math.round(rnd() * height);
    const w = Math.round((0.08 + rnd() * 0.3) * width);
    const h = Math.round((0.08 + rnd() * 0.3) * height);
    const kind = Math.floor(rnd() * 3);
    if (kind === 0)
      shapes.push(
        `<rect x="${x - w / 2}" y="${y - h / 2}" width="${w}" height="${h}" fill="${colour()}"/>`,
      );
    else if (kind === 1)
      shapes.push(`<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" fill="${colour()}"/>`);
    else
      shapes.push(
        `<polygon points="${x},${y - h / 2} ${x + w / 2},${y + h / 2} ${x - w / 2},${y + h / 2}" fill="${colour()}"/>`,
      );
  }
  const horizon = Math.round((0.4 + rnd() * 0.3) * height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">` +
    `<stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient></defs>` +
    `<rect width="${width}" height="${height}" fill="url(#sky)"/>` +
    `<rect y="${horizon}" width="${width}" height="${height - horizon}" fill="${colour()}"/>` +
    shapes.join('') +
    `</svg>`
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY:MM:DD HH:MM:SS` of a date's UTC fields. */
const exifDateTime = (d: Date) =>
  `${pad(d.getUTCFullYear(), 4)}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ` +
  `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;

/** `+01:00` → minutes east of UTC. */
export function offsetMinutes(offset: string): number {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!m) throw new Error(`not a zone offset: ${offset}`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** Degrees as EXIF rationals `d/1 m/1 s/1000` (exact: whole thousandths of an arc second). */
export function dmsRational(degrees: number): string {
  const total = Math.round(Math.abs(degrees) * 3600 * 1000);
  const d = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const s = total % 60_000;
  return `${d}/1 ${m}/1 ${s}/1000`;
}

/** The EXIF a photo's options ask for, in the shape sharp's `withExif` takes. */
export function exifTags(o: PhotoOptions): Record<string, Record<string, string>> {
  const device = o.device === undefined ? DEFAULT_DEVICE : o.device;
  const ifd0: Record<string, string> = device
    ? { Make: device.make, Model: device.model, Software: device.software }
    : {};
  const ifd2: Record<string, string> = {};
  if (o.capture) {
    const offset = o.capture.offset ?? null;
    const wall = new Date(o.capture.at.getTime() + (offset ? offsetMinutes(offset) : 0) * 60_000);
    ifd2.DateTimeOriginal = exifDateTime(wall);
    if (offset) ifd2.OffsetTimeOriginal = offset;
  }
  const gps: Record<string, string> = {};
  if (o.gps) {
    gps.GPSLatitudeRef = o.gps.lat < 0 ? 'S' : 'N';
    gps.GPSLatitude = dmsRational(o.gps.lat);
    gps.GPSLongitudeRef = o.gps.lng < 0 ? 'W' : 'E';
    gps.GPSLongitude = dmsRational(o.gps.lng);
  }
  if (o.gpsTime) {
    const t = o.gpsTime;
    gps.GPSDateStamp = `${pad(t.getUTCFullYear(), 4)}:${pad(t.getUTCMonth() + 1)}:${pad(t.getUTCDate())}`;
    const ms = t.getUTCSeconds() * 1000 + t.getUTCMilliseconds();
    gps.GPSTimeStamp = `${t.getUTCHours()}/1 ${t.getUTCMinutes()}/1 ${ms}/1000`;
  }
  const tags: Record<string, Record<string, string>> = {};
  if (Object.keys(ifd0).length) tags.IFD0 = ifd0;
  if (Object.keys(ifd2).length) tags.IFD2 = ifd2;
  if (Object.keys(gps).length) tags.IFD3 = gps;
  return tags;
}

/** A photo of a generated scene with the EXIF the options ask for. */
export async function makePhoto(o: PhotoOptions = {}): Promise<Buffer> {
  const width = o.width ?? 1024;
  const height = o.height ?? 768;
  let image = sharp(Buffer.from(sceneSvg(o.scene ?? 1, width, height)));
  image = o.format === 'png' ? image.png() : image.jpeg({ quality: 90 });
  if (o.exif === false) return image.toBuffer();
  const tags = exifTags(o);
  if (Object.keys(tags).length) image = image.withExif(tags);
  if (o.orientation !== undefined) image = image.withMetadata({ orientation: o.orientation });
  return image.toBuffer();
}

/**
 * The same scene as `photo`, as a phone's share sheet or a messenger would hand it on:
 * resized to `scale`, brightened by `brightness`, re-encoded as JPEG at a lower quality, EXIF
 * dropped. Its perceptual hash stays near the original's.
 */
export async function nearDuplicate(
  photo: Buffer,
  o: { scale?: number; brightness?: number; quality?: number } = {},
): Promise<Buffer> {
  const { width = 0 } = await sharp(photo).metadata();
  return sharp(photo)
    .resize(Math.round(width * (o.scale ?? 0.75)))
    .modulate({ brightness: o.brightness ?? 1.08 })
    .jpeg({ quality: o.quality ?? 70 })
    .toBuffer();
}
