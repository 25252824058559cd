/**
 * An error answered as-is by the HTTP edge, in the envelope, with its own status (and, for a
 * 429 or a 503, the headers that tell the client when to come back).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
