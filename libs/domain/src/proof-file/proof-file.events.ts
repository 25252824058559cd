/**
 * Uploaded proof files (issue 5). One stream per upload, `proof-file-{fileId}`, holding one
 * event: what the server read from the bytes (never what the client claimed) and who uploaded
 * them. The bytes themselves live in the content-addressed blob store under `sha256`, so the
 * same bytes uploaded twice are two file records pointing at one blob. `POST /proofs` reads the
 * record from this stream (not from the read model, which may lag).
 */

export type ProofFileMime = 'image/jpeg' | 'image/png' | 'image/heic' | 'application/pdf';
export type ProofFileKind = 'image' | 'pdf';

/**
 * What the upload read from the file's EXIF. Times are never converted through the machine's
 * zone: `capture_time` is the camera's wall clock as written, and only `capture_offset` (or the
 * GPS time, which is UTC by definition) turns it into an instant.
 */
export interface ProofFileExif {
  /** Decimal degrees, negative south (GPSLatitudeRef S). */
  gps_lat: number | null;
  /** Decimal degrees, negative west (GPSLongitudeRef W). */
  gps_lng: number | null;
  /** ISO-8601 UTC from GPSDateStamp + GPSTimeStamp, e.g. `2026-11-27T13:30:05.000Z`. */
  gps_time: string | null;
  /** DateTimeOriginal as local wall time, `YYYY-MM-DDTHH:mm:ss`, no zone. */
  capture_time: string | null;
  /** OffsetTimeOriginal, e.g. `+01:00`. */
  capture_offset: string | null;
  make: string | null;
  model: string | null;
  software: string | null;
}

export interface ProofFileUploadedData {
  fileId: string;
  /** Lower-case hex sha256 of the bytes: the blob's address. */
  sha256: string;
  size: number;
  mime: ProofFileMime;
  kind: ProofFileKind;
  /** Images: pixels as displayed (after the EXIF orientation). PDFs: null. */
  width: number | null;
  height: number | null;
  /** PDFs: pages. Images: null. */
  pageCount: number | null;
  /** Images: 64-bit DCT perceptual hash as 16 hex characters. PDFs: null. */
  phash: string | null;
  exif: ProofFileExif | null;
  /** The uploading key's linked user, or null (a key without a user, the legacy key). */
  uploaderUserId: string | null;
  /** The uploading API key's id, or null (the legacy development key). */
  uploaderKeyId: string | null;
  /**
   * The escrow the upload was made for (`POST /files/proofs`' `escrow_id`, FRONTEND-CONTRACT
   * A7): a proof using it on another escrow is refused. Absent or null: bound to none.
   */
  escrowId?: string | null;
  uploadedAt: string;
}

export type ProofFileEvent = { type: 'proof_file.uploaded.v1'; data: ProofFileUploadedData };
