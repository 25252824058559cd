/**
 * Errors in three tiers (STYLE.md §8): bad input is rejected at the edge, rule violations are
 * DomainErrors with stable codes, broken invariants are AssertionErrors that crash loudly.
 * A DomainError names its kind, not an HTTP status: the HTTP edge maps kinds to statuses.
 */
export type DomainErrorKind =
  | 'invalid' // 422: well-formed input that breaks a rule of shape or range
  | 'bad_request' // 400: a request that cannot be read at all
  | 'unauthenticated' // 401
  | 'forbidden' // 403
  | 'not_found' // 404
  | 'conflict' // 409: the state of the world forbids it
  | 'too_large'; // 413

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'conflict',
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionError';
  }
}
