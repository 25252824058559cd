/**
 * The rules a proof's evidence must pass (KOBATELA-SPEC §4.5, with the old service's defects
 * fixed): a verdict of hard refusal (422, nothing stored), reasons for a person to review, or
 * neither (approved at once). Pure: the evidence was established by the handler (the file's EXIF
 * is authoritative; client-typed values are only a claim), time and limits arrive as arguments.
 *
 * - Geofence (checked first; a breach overrides everything): a geofenced PHOTO milestone needs
 *   GPS (none → review `MISSING_GPS`, the old B1 auto-approved it), and a position farther than
 *   the radius plus `PROOF_GEOFENCE_TOLERANCE_M` is refused `GEOFENCE_VIOLATION`.
 * - Capture time: older than `PROOF_MAX_AGE_MINUTES` → `STALE_TIMESTAMP`, more than
 *   `PROOF_FUTURE_SKEW_MINUTES` ahead → `FUTURE_TIMESTAMP`; a time with no zone at all goes to
 *   review `MISSING_TIMEZONE` (never assumed UTC); no time at all → `MISSING_EXIF_TIMESTAMP`.
 * - Review reasons: an untrusted `source`, a GPS time and camera clock that disagree, client
 *   metadata that disagrees with the file, a
 *   near-duplicate image, client claims without a file (`UNVERIFIED_METADATA` unless trusted),
 *   and every document proof (a person reads documents; OCR and AI only help).
 * - Family (FRONTEND-CONTRACT D5, A6): a proof is a photo or a document, by its type where the
 *   type names one, else by its milestone's kind; a type of the other family than the
 *   milestone's kind, a photo whose file is not an image, and a photo on a kind-less milestone
 *   without an uploaded file are refused `PROOF_TYPE_MISMATCH`, so naming a PDF a photo never
 *   skips a person's review.
 */
import { DomainError } from '@kob/kernel';
import type { PhotoRules } from './escrow.commands';
import type { ProofEvidence, ProofKind } from './escrow.events';
import type { MilestoneState } from './escrow.state';

export interface ProofVerdict {
  reject: DomainError | null;
  reviewReasons: string[];
  flags: string[];
}

export type ProofFamily = 'photo' | 'document';

/** Proof types read as documents: invoice fields normalised and OCR'd (KOBATELA-SPEC §4.4; B26). */
export const DOCUMENT_PROOF_TYPES: readonly string[] = ['DOCUMENT', 'PDF', 'INVOICE', 'CONTRACT'];

/** The family a proof type names, or null for a type that names none (then the kind decides). */
export function typeFamily(proofType: string): ProofFamily | null {
  const type = proofType.trim().toUpperCase();
  if (type === 'PHOTO') return 'photo';
  return DOCUMENT_PROOF_TYPES.includes(type) ? 'document' : null;
}

/** The family a milestone's kind asks for; null for a kind-less milestone (D5). */
export function kindFamily(kind: ProofKind | null): ProofFamily | null {
  if (kind === null) return null;
  return kind === 'PHOTO' ? 'photo' : 'document';
}

function typeMismatch(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('PROOF_TYPE_MISMATCH', message, 'invalid', details);
}

/**
 * The rules a proof is judged by (A6): its type's family, else its milestone's, else a document
 * (a person reads it). `fileKind` is what the server read the upload to be, null for a claim.
 */
/** The family a proof is judged by: its type's, else its milestone's kind's, else a document. */
export function familyOf(kind: ProofKind | null, proofType: string): ProofFamily {
  return typeFamily(proofType) ?? kindFamily(kind) ?? 'document';
}

export function proofFamily(
  kind: ProofKind | null,
  proofType: string,
  fileKind: 'image' | 'pdf' | null,
): ProofFamily {
  const byType = typeFamily(proofType);
  const byKind = kindFamily(kind);
  const details = { type: proofType, proof_kind: kind };
  if (byType !== null && byKind !== null && byType !== byKind) {
    throw typeMismatch(`a ${proofType} proof does not fit a ${kind} milestone`, details);
  }
  const family = familyOf(kind, proofType);
  if (family === 'photo' && fileKind === 'pdf') {
    throw typeMismatch('a photo proof needs an image file', { ...details, file_kind: fileKind });
  }
  if (family === 'photo' && byKind === null && fileKind === null) {
    throw typeMismatch(
      'a photo proof on a milestone without a kind needs an uploaded file',
      details,
    );
  }
  return family;
}

const EARTH_RADIUS_M = 6_371_000;
const MS_PER_MINUTE = 60_000;
const TRUSTED_SOURCES = ['app', 'camera'];

/** Great-circle distance in metres (haversine). */
export function distanceM(
  a: { lat: number; lng: number },
  b: { lat: number; lng: number },
): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

function refused(code: string, details: Record<string, unknown>): DomainError {
  return new DomainError(code, 'Photo failed validation.', 'invalid', details);
}

/** Hard refusals of a photo's time, or null (a missing zone is a review reason, not a refusal). */
function timeRefusal(
  evidence: ProofEvidence,
  rules: PhotoRules,
  nowMs: number,
): DomainError | null {
  if (evidence.captureTime === null) {
    if (!evidence.missingTimezone)
      return refused('MISSING_EXIF_TIMESTAMP', { source: evidence.source });
    const window = evidence.captureWindow;
    if (!window) return null;
    // Stale, or ahead, in every zone the photo could have been taken in.
    const newestAgeMinutes = (nowMs - Date.parse(window.latest)) / MS_PER_MINUTE;
    if (newestAgeMinutes > rules.maxAgeMinutes) {
      return refused('STALE_TIMESTAMP', {
        age_minutes: Math.floor(newestAgeMinutes),
        max_age_minutes: rules.maxAgeMinutes,
        time_zone: 'unknown',
      });
    }
    const aheadMinutes = (Date.parse(window.earliest) - nowMs) / MS_PER_MINUTE;
    if (aheadMinutes > rules.futureSkewMinutes) {
      return refused('FUTURE_TIMESTAMP', {
        ahead_minutes: Math.ceil(aheadMinutes),
        max_skew_minutes: rules.futureSkewMinutes,
        time_zone: 'unknown',
      });
    }
    return null;
  }
  const ageMinutes = (nowMs - Date.parse(evidence.captureTime)) / MS_PER_MINUTE;
  if (ageMinutes > rules.maxAgeMinutes) {
    return refused('STALE_TIMESTAMP', {
      age_minutes: Math.floor(ageMinutes),
      max_age_minutes: rules.maxAgeMinutes,
    });
  }
  if (-ageMinutes > rules.futureSkewMinutes) {
    return refused('FUTURE_TIMESTAMP', {
      ahead_minutes: Math.ceil(-ageMinutes),
      max_skew_minutes: rules.futureSkewMinutes,
    });
  }
  return null;
}

export function proofVerdict(input: {
  milestone: MilestoneState;
  family: ProofFamily;
  evidence: ProofEvidence;
  metadata: Record<string, unknown> | null;
  rules: PhotoRules;
  nowMs: number;
  nearDuplicateOf: string | null;
}): ProofVerdict {
  const { milestone, evidence, metadata, rules } = input;
  const reviewReasons: string[] = [];
  const flags: string[] = [];
  if (evidence.clientMismatch.length > 0) {
    flags.push('client_metadata_mismatch');
    reviewReasons.push('CLIENT_METADATA_MISMATCH');
  }
  if (evidence.timesDisagree) {
    flags.push('exif_time_inconsistent');
    reviewReasons.push('EXIF_TIME_INCONSISTENT');
  }
  if (input.nearDuplicateOf !== null) {
    flags.push('possible_duplicate');
    reviewReasons.push('POSSIBLE_DUPLICATE');
  }
  if (input.family === 'document') {
    reviewReasons.push('DOCUMENT_REVIEW');
    return { reject: null, reviewReasons, flags };
  }
  if (evidence.source === 'claim' && metadata === null) {
    return { reject: null, reviewReasons: [...reviewReasons, 'MISSING_METADATA'], flags };
  }
  const fence = milestone.geofence;
  if (fence && evidence.gps) {
    const d = distanceM(evidence.gps, fence);
    if (d > fence.radiusM + rules.geofenceToleranceM) {
      const details = {
        distance_m: Math.round(d),
        radius_m: fence.radiusM,
        tolerance_m: rules.geofenceToleranceM,
      };
      return { reject: refused('GEOFENCE_VIOLATION', details), reviewReasons, flags };
    }
  }
  const reject = timeRefusal(evidence, rules, input.nowMs);
  if (reject) return { reject, reviewReasons, flags };
  if (fence && !evidence.gps) reviewReasons.push('MISSING_GPS');
  if (evidence.captureTime === null && evidence.missingTimezone)
    reviewReasons.push('MISSING_TIMEZONE');
  const source = typeof metadata?.source === 'string' ? metadata.source.trim().toLowerCase() : null;
  if (source !== null && !TRUSTED_SOURCES.includes(source)) reviewReasons.push('UNTRUSTED_SOURCE');
  if (evidence.source === 'claim' && !rules.trustClientMetadata)
    reviewReasons.push('UNVERIFIED_METADATA');
  return { reject: null, reviewReasons, flags };
}
