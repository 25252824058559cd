/**
 * What the AI proof advisor is told about a proof, and nothing more (KOBATELA-SPEC §4.7, with
 * R5c/IA-3 fixed). The reference masked a few sensitive-looking top-level key names and sent the
 * rest, including the proof's storage URL, its sha256 and the nested IBAN blocks. Here the context
 * is built from an ALLOWLIST: a schema names every key that may pass and the kind of value it must
 * hold (an amount, a currency, a date, a city or country, a status token, a number, a boolean…).
 * Everything else is dropped and only its key *name* is listed in `_redacted_keys`.
 *
 * Three layers, so that one mistake does not leak:
 * 1. The schema: a key not in it never passes, whatever its value. Identifying fields that help a
 *    reviewer only by existing (invoice number, IBAN last 4, supplier name, expected payee) are
 *    sent as `<key>_present: boolean`, never their value.
 * 2. The kind: a value that is not of its key's kind (an "amount" that is not a decimal, a "city"
 *    with digits or an @) is dropped, so a client cannot smuggle data under an allowed name.
 * 3. The scan: every text value that passed (labels, cities, tokens, camera names, flags) is
 *    checked for what looks like an email, a URL, a UUID, a long hex id (sha256), an IBAN or a run
 *    of 9+ digits (phone, account), and for the proof's own known names and numbers (the supplier,
 *    the beneficiary, emails, phones, IBANs found anywhere in the input under such keys). A hit
 *    replaces the whole value with "***redacted***" (a partial mask could still leak a part).
 *
 * IBAN: not even the last 4 digits are sent. The document checks already compare them
 * (`iban_check.match`), which is all a reviewer needs from the AI; the digits would only add an
 * identifier. Coordinates are not sent either: only whether GPS is present and the geofence
 * distance and verdict. Money stays a decimal string (B3: the reference put Decimals in the
 * context and broke its JSON); a client amount sent as a JSON number is turned into its string.
 *
 * The output is deterministic (keys sorted at every level, `_redacted_keys` sorted and unique), so
 * the same proof gives the same request and tests compare whole contexts.
 */
import { type InvoiceFields, truncateUtf16 } from '@kob/kernel';
import { aiAdvisorLimits as L } from './ai-advisor-limits';
import {
  KnownIdentifiers,
  collectIdentifiers,
  isPlainObject,
  looksSensitive,
} from './ai-context-identifiers';
import { type Kind, type Schema, CONTEXT } from './ai-context-schema';

export { isPlainObject } from './ai-context-identifiers';

export const REDACTED = '***redacted***';

export interface ProofAssessmentInput {
  /** The proof's own type as sent (`PHOTO`, `INVOICE`, …). */
  proof_type: string;
  milestone: {
    label: string | null;
    amount: string;
    currency: string;
    /** The milestone's expected proof type (`PHOTO`, `INVOICE`, …). */
    proof_kind: string;
    /** The milestone's free JSON requirements (KOBATELA-SPEC §4.8). */
    proof_requirements: unknown;
  };
  escrow: { amount_total: string; currency: string; domain: string | null };
  /** The client's metadata (OCR values merged in), untrusted. */
  metadata: Record<string, unknown> | null;
  evidence: {
    capture_time: string | null;
    capture_time_source: string | null;
    gps_present: boolean;
    geofence: { configured: boolean; distance_m: number | null; inside: boolean | null } | null;
    exif: { make: string | null; model: string | null; software: string | null } | null;
  };
  /** The photo or document backend checks (§4.8 structure: amounts as strings). */
  backend_checks: unknown;
  /** The proof's invoice fields, in the shape OCR reads them; null when it has none. */
  invoice: InvoiceFields | null;
  ocr_status: string | null;
  /** Server-side flags (`possible_duplicate`, `client_metadata_mismatch`, …). */
  flags: string[];
  /** The EXIF-stripped, downscaled preview (never the original file). */
  image: { bytes: Buffer; mime: string } | null;
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type AiContext = { [key: string]: JsonValue };

// ---- the kinds --------------------------------------------------------------------------------

const AMOUNT = new RegExp(
  `^-?\\d{1,${L.amountIntegerDigitsMax}}(?:\\.\\d{1,${L.amountFractionDigitsMax}})?$`,
);
// A date, or a date and time with an optional zone (ISO 8601 as the services write it).
const DATE = new RegExp(
  '^\\d{4}-\\d{2}-\\d{2}' +
    '(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?$',
);
const TOKEN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.:/+-]{0,${L.tokenCharsMax - 1}}$`);
// Letters, spaces and the punctuation of place names: no digits, no @, no slash.
const PLACE = /^[\p{L}\p{M}][\p{L}\p{M} '’.,-]*$/u;
const CURRENCY = /^[A-Za-z]{3}$/;
const NUMBER_ABS_MAX = 1e9;

/** A value that passed its kind, was redacted by the scan, or did not pass (`undefined`). */
type Cleaned = { value: JsonValue } | { redacted: true } | undefined;

function text(value: unknown, charsMax: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = truncateUtf16(value.replace(/\s+/g, ' ').trim(), charsMax).trim();
  return t.length > 0 ? t : undefined;
}

function scanned(value: string | undefined, known: KnownIdentifiers): Cleaned {
  if (value === undefined) return undefined;
  return looksSensitive(value, known) ? { redacted: true } : { value };
}

type ScalarKind = Exclude<Kind, 'presence' | 'tokens'>;

function cleanScalar(kind: ScalarKind, raw: unknown, known: KnownIdentifiers): Cleaned {
  const trimmed = typeof raw === 'string' ? raw.trim() : null;
  switch (kind) {
    case 'amount': {
      const s = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : trimmed;
      return s !== null && AMOUNT.test(s) ? { value: s } : undefined;
    }
    case 'currency':
      if (trimmed === null || !CURRENCY.test(trimmed)) return undefined;
      return { value: trimmed.toUpperCase() };
    case 'date':
      return trimmed !== null && DATE.test(trimmed) ? { value: trimmed } : undefined;
    case 'number': {
      const finite = typeof raw === 'number' && Number.isFinite(raw);
      return finite && Math.abs(raw) <= NUMBER_ABS_MAX ? { value: raw } : undefined;
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : undefined;
    case 'place': {
      const t = text(raw, L.placeCharsMax);
      return t !== undefined && PLACE.test(t) ? scanned(t, known) : undefined;
    }
    case 'token':
      return trimmed !== null && TOKEN.test(trimmed) ? scanned(trimmed, known) : undefined;
    case 'label':
      return scanned(text(raw, L.labelCharsMax), known);
    case 'device':
      return scanned(text(raw, L.deviceCharsMax), known);
  }
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim().length > 0;
  return true;
}

/** Client key names are listed only when they look like plain field names (a name can leak too). */
const SAFE_KEY_NAME = /^[a-z][a-z0-9_]{0,47}$/;

class Redactions {
  private readonly names = new Set<string>();
  omitted = 0;

  constructor(private readonly known: KnownIdentifiers) {}

  /** A key of the schema (our own name). */
  add(path: string, key: string): void {
    this.names.add(`${path}${key}`);
  }

  /** A key the schema does not know: the client chose its name, so the name is checked too. */
  addUnknown(path: string, key: string): void {
    const safe = SAFE_KEY_NAME.test(key) && !/\d{4}/.test(key) && !looksSensitive(key, this.known);
    this.names.add(`${path}${safe ? key : REDACTED}`);
  }

  list(): string[] {
    const all = [...this.names].sort();
    return all.slice(0, L.redactedKeysListedMax);
  }

  listedOverflow(): number {
    return Math.max(0, this.names.size - L.redactedKeysListedMax);
  }
}

function sanitizeTokens(
  raw: unknown,
  path: string,
  key: string,
  known: KnownIdentifiers,
  redactions: Redactions,
): JsonValue | undefined {
  if (!Array.isArray(raw)) return undefined;
  redactions.omitted += Math.max(0, raw.length - L.contextFlagsMax);
  const out: string[] = [];
  for (const item of raw.slice(0, L.contextFlagsMax)) {
    const cleaned = cleanScalar('token', item, known);
    if (cleaned === undefined || 'redacted' in cleaned) redactions.add(path, `${key}[]`);
    else out.push(cleaned.value as string);
  }
  return [...new Set(out)].sort();
}

function sanitizeObject(
  raw: Record<string, unknown>,
  schema: Schema,
  path: string,
  known: KnownIdentifiers,
  redactions: Redactions,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  const keys = Object.keys(raw);
  redactions.omitted += Math.max(0, keys.length - L.metadataKeysMax);
  for (const key of keys.slice(0, L.metadataKeysMax)) {
    const value = raw[key];
    if (value === undefined) continue;
    const rule = Object.prototype.hasOwnProperty.call(schema, key) ? schema[key] : undefined;
    if (rule === undefined) {
      redactions.addUnknown(path, key);
      continue;
    }
    if (rule === 'presence') {
      out[`${key}_present`] = isPresent(value);
      redactions.add(path, key);
      continue;
    }
    if (value === null) {
      out[key] = null;
      continue;
    }
    if (typeof rule === 'object') {
      if (isPlainObject(value)) {
        out[key] = sanitizeObject(value, rule, `${path}${key}.`, known, redactions);
      } else {
        redactions.add(path, key);
      }
      continue;
    }
    if (rule === 'tokens') {
      const list = sanitizeTokens(value, path, key, known, redactions);
      if (list === undefined) redactions.add(path, key);
      else out[key] = list;
      continue;
    }
    const cleaned = cleanScalar(rule, value, known);
    if (cleaned === undefined) {
      redactions.add(path, key);
    } else if ('redacted' in cleaned) {
      out[key] = REDACTED;
      redactions.add(path, key);
    } else {
      out[key] = cleaned.value;
    }
  }
  return out;
}

function sortedDeep(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedDeep(value[key] as JsonValue);
  return out;
}

const SECTIONS = ['milestone', 'escrow', 'metadata', 'evidence', 'invoice', 'backend_checks'];

export interface ContextOptions {
  /** Whether an image goes with the context (decided by the advisor). */
  imageAttached: boolean;
}

/**
 * The sanitised context for one proof. Pure and deterministic; never throws on junk input (a
 * section that is not an object is null, a value that is not of its kind is dropped).
 */
export function buildAiContext(input: ProofAssessmentInput, options: ContextOptions): AiContext {
  const { image: _image, ...rest } = input as ProofAssessmentInput & Record<string, unknown>;
  const known = new KnownIdentifiers();
  collectIdentifiers(rest, known, 'none', 0);
  const redactions = new Redactions(known);
  const body = sanitizeObject(rest, CONTEXT, '', known, redactions);
  for (const section of SECTIONS) if (!(section in body)) body[section] = null;
  if (!('flags' in body)) body.flags = [];
  const context: AiContext = {
    ...body,
    image_attached: options.imageAttached,
    _redacted_keys: redactions.list(),
  };
  const overflow = redactions.omitted + redactions.listedOverflow();
  if (overflow > 0) context._redacted_keys_omitted = overflow;
  return sortedDeep(context) as AiContext;
}

/** The context as the text sent to the model (compact JSON, keys already sorted). */
export function contextJson(context: AiContext): string {
  return JSON.stringify(context);
}
