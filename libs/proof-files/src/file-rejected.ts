/**
 * Why an uploaded file was refused, with the HTTP status and stable code the edge answers with.
 * Inspection never lets a library's raw exception out: everything a file can do wrong becomes
 * one of these.
 */
export type FileRejectedStatus = 413 | 415 | 422 | 503;

export type FileRejectedCode =
  'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'UNREADABLE_FILE' | 'VALIDATION_ERROR' | 'BUSY';

export class FileRejected extends Error {
  constructor(
    readonly status: FileRejectedStatus,
    readonly code: FileRejectedCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'FileRejected';
  }
}

export const unsupportedType = (message: string, details?: Record<string, unknown>) =>
  new FileRejected(415, 'UNSUPPORTED_MEDIA_TYPE', message, details);

export const unreadableFile = (message: string, details?: Record<string, unknown>) =>
  new FileRejected(422, 'UNREADABLE_FILE', message, details);

/** Too many documents are being opened at once: the upload may be sent again shortly. */
export const busy = (message: string) => new FileRejected(503, 'BUSY', message);
