/**
 * Shape and range checks for escrow commands: each failure is a 422 DomainError naming the field
 * (`VALIDATION_ERROR` with `details.fields`, or the kernel's `AMOUNT_PRECISION`), so the HTTP
 * edge and the decider agree on one rule set. Values the handler produces itself (`now`, the
 * scale) are asserted instead: a bad one is a bug, not a user error.
 */
import { DomainError, Money, assert, currencyScaleMax, parseInstant } from '@kob/kernel';
import type { EscrowDomain, Geofence, OnDeadline, ProofKind } from './escrow.events';

export const escrowLimits = {
  labelLengthMax: 255,
  noteLengthMax: 2000,
  proofUrlLengthMax: 2048,
  depositFailureReasonLengthMax: 500,
} as const;

const CURRENCY_RE = /^[A-Z]{3}$/;
const ON_DEADLINE: readonly OnDeadline[] = ['release', 'refund', 'none'];
const DOMAINS: readonly EscrowDomain[] = ['private', 'public', 'aid'];
const PROOF_KINDS: readonly ProofKind[] = ['PHOTO', 'PDF', 'INVOICE', 'CONTRACT', 'DOCUMENT'];

export function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION_ERROR', `${field} ${message}`, 'invalid', {
    fields: { [field]: [message] },
  });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A positive amount at the currency's scale: more decimals → AMOUNT_PRECISION, ≤ 0 → 422. */
export function positiveAmount(text: string, currency: string, scale: number, field: string) {
  const amount = Money.parse(text, currency, new Map([[currency, scale]]), field);
  if (!amount.isPositive()) throw invalid(field, 'must be greater than 0');
  return amount;
}

export function currencyCode(value: string, field: string): string {
  if (!CURRENCY_RE.test(value)) throw invalid(field, 'must be an ISO 4217 code such as "USD"');
  return value;
}

export function assertScale(scale: number): void {
  assert(Number.isInteger(scale) && scale >= 0 && scale <= currencyScaleMax, `bad scale ${scale}`);
}

/**
 * Milliseconds of an ISO 8601 timestamp with a zone, or NaN (see `parseInstant`). A zone is
 * required: a naive time cannot be compared with `now` (the old service's B5).
 */
function parseTimestamp(value: string): number {
  return parseInstant(value);
}

export function timestampMs(value: string, field: string): number {
  const ms = parseTimestamp(value);
  if (Number.isNaN(ms)) throw invalid(field, 'must be an ISO 8601 timestamp with a zone');
  return ms;
}

/** `now` comes from the handler's clock: a malformed one is a bug. */
export function nowMs(now: string): number {
  const ms = parseTimestamp(now);
  assert(!Number.isNaN(ms), `bad now ${now}`);
  return ms;
}

export function releaseConditions(
  value: unknown,
): { on_deadline: OnDeadline } & Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid('release_conditions', 'must be an object');
  // Only an absent key takes the default; an explicit null is a value, and not an allowed one.
  const onDeadline = value.on_deadline === undefined ? 'release' : value.on_deadline;
  if (!ON_DEADLINE.includes(onDeadline as OnDeadline)) {
    throw invalid('release_conditions.on_deadline', `must be one of ${ON_DEADLINE.join(', ')}`);
  }
  // Other keys are kept as sent and not interpreted (API-RULES.md §2); the default is written
  // out so projections show the rule that will apply.
  return { ...value, on_deadline: onDeadline as OnDeadline };
}

export function escrowDomain(value: string | null | undefined): EscrowDomain {
  const domain = value ?? 'private';
  if (!DOMAINS.includes(domain as EscrowDomain)) {
    throw invalid('domain', `must be one of ${DOMAINS.join(', ')}`);
  }
  return domain as EscrowDomain;
}

/** A public or aid escrow needs a GOV or ONG client (checked when the client's tag is given). */
export function domainAllowed(domain: EscrowDomain, clientPublicTag: string | null | undefined) {
  if (domain === 'private' || clientPublicTag === undefined) return;
  if (clientPublicTag === 'GOV' || clientPublicTag === 'ONG') return;
  throw new DomainError(
    'PUBLIC_DOMAIN_FORBIDDEN',
    'public and aid escrows need a GOV or ONG client',
    'forbidden',
  );
}

/** A milestone's kind, case-insensitive (A5); none is a kind-less milestone (D5), not PHOTO. */
export function proofKind(value: string | null | undefined): ProofKind | null {
  if (value === null || value === undefined) return null;
  const kind = value.toUpperCase();
  if (!PROOF_KINDS.includes(kind as ProofKind)) {
    throw invalid('proof_kind', `must be one of ${PROOF_KINDS.join(', ')}`);
  }
  return kind as ProofKind;
}

export function label(value: string): string {
  if (value.trim().length === 0 || value.length > escrowLimits.labelLengthMax) {
    throw invalid('label', `must have 1 to ${escrowLimits.labelLengthMax} characters`);
  }
  return value;
}

export function sequenceIndex(value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw invalid('sequence_index', 'must be an integer ≥ 1');
  }
  return value;
}

function inRange(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

export function geofence(value: Geofence | null | undefined): Geofence | null {
  if (value === null || value === undefined) return null;
  if (!inRange(value.lat, -90, 90)) throw invalid('geofence_lat', 'must be within [-90, 90]');
  if (!inRange(value.lng, -180, 180)) throw invalid('geofence_lng', 'must be within [-180, 180]');
  if (!inRange(value.radiusM, Number.MIN_VALUE, Number.MAX_VALUE)) {
    throw invalid('geofence_radius_m', 'must be greater than 0');
  }
  return { lat: value.lat, lng: value.lng, radiusM: value.radiusM };
}

export function optionalText(
  value: string | null | undefined,
  field: string,
  lengthMax: number,
): string | null {
  if (value === null || value === undefined) return null;
  if (value.length > lengthMax) throw invalid(field, `must have at most ${lengthMax} characters`);
  return value;
}

export function requiredText(value: string, field: string, lengthMax: number): string {
  if (value.trim().length === 0 || value.length > lengthMax) {
    throw invalid(field, `must have 1 to ${lengthMax} characters`);
  }
  return value;
}
