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
import { truncateUtf16 } from '@kob/kernel';
import { aiAdvisorLimits as L } from './ai-advisor-limits';

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
  invoice: {
    total_amount: string | null;
    currency: string | null;
    invoice_date: string | null;
    invoice_number: string | null;
    iban_last4: string | null;
    supplier_name: string | null;
  } | null;
  ocr_status: string | null;
  /** Server-side flags (`possible_duplicate`, `client_metadata_mismatch`, …). */
  flags: string[];
  /** The EXIF-stripped, downscaled preview (never the original file). */
  image: { bytes: Buffer; mime: string } | null;
}

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type AiContext = { [key: string]: JsonValue };

/**
 * The kind of value a key may hold. `presence` sends `<key>_present: boolean` instead of the value.
 */
type Kind =
  | 'amount'
  | 'currency'
  | 'date'
  | 'place'
  | 'label'
  | 'device'
  | 'token'
  | 'tokens'
  | 'number'
  | 'boolean'
  | 'presence';
interface Schema {
  readonly [key: string]: Kind | Schema;
}

const REQUIREMENTS: Schema = {
  file_type: 'token',
  expected_country: 'place',
  expected_city: 'place',
  expected_currency: 'currency',
  expected_amount: 'amount',
  expected_quantity: 'amount',
  expected_unit_price: 'amount',
  expected_date_min: 'date',
  expected_date_max: 'date',
  gps_required: 'boolean',
  // Who is to be paid, and the account: whether they are set, never what they are.
  expected_store_name: 'presence',
  expected_beneficiary: 'presence',
  expected_iban: 'presence',
  expected_iban_last4: 'presence',
  // expected_description and notes are free text: dropped.
};

const METADATA: Schema = {
  invoice_total_amount: 'amount',
  invoice_amount: 'amount',
  total_amount: 'amount',
  total: 'amount',
  invoice_currency: 'currency',
  currency: 'currency',
  invoice_date: 'date',
  exif_timestamp: 'date',
  supplier_city: 'place',
  supplier_country: 'place',
  beneficiary_city: 'place',
  beneficiary_country: 'place',
  gps_accuracy_m: 'number',
  file_type: 'token',
  file_mime_type: 'token',
  file_pages: 'number',
  status: 'token',
  ocr_status: 'token',
  ocr_provider: 'token',
  source: 'token',
  gps_lat: 'presence',
  gps_lng: 'presence',
  invoice_number: 'presence',
  iban_last4: 'presence',
  invoice_iban_last4: 'presence',
  supplier_name: 'presence',
  invoice_supplier_name: 'presence',
};

const BACKEND_CHECKS: Schema = {
  has_metadata: 'boolean',
  amount_check: {
    expected_amount: 'amount',
    invoice_amount: 'amount',
    absolute_diff: 'amount',
    relative_diff: 'amount',
    amount_tolerance: 'amount',
    currency_expected: 'currency',
    currency_actual: 'currency',
    currency_match: 'boolean',
    amount_match: 'boolean',
  },
  iban_check: { expected_iban_last4: 'presence', invoice_iban_last4: 'presence', match: 'boolean' },
  date_check: {
    expected_date_min: 'date',
    expected_date_max: 'date',
    invoice_date: 'date',
    in_range: 'boolean',
    days_from_min: 'number',
    days_from_max: 'number',
  },
  supplier_check: { expected_name: 'presence', actual_name: 'presence', exact_match: 'boolean' },
  // The photo checks.
  geofence_configured: 'boolean',
  validation_ok: 'boolean',
  validation_reason: 'token',
};

const CONTEXT: Schema = {
  proof_type: 'token',
  milestone: {
    label: 'label',
    amount: 'amount',
    currency: 'currency',
    proof_kind: 'token',
    proof_requirements: REQUIREMENTS,
  },
  escrow: { amount_total: 'amount', currency: 'currency', domain: 'token' },
  metadata: METADATA,
  evidence: {
    capture_time: 'date',
    capture_time_source: 'token',
    gps_present: 'boolean',
    geofence: { configured: 'boolean', distance_m: 'number', inside: 'boolean' },
    exif: { make: 'device', model: 'device', software: 'device' },
  },
  backend_checks: BACKEND_CHECKS,
  invoice: {
    total_amount: 'amount',
    currency: 'currency',
    invoice_date: 'date',
    invoice_number: 'presence',
    iban_last4: 'presence',
    supplier_name: 'presence',
  },
  ocr_status: 'token',
  flags: 'tokens',
};

// ---- what looks identifying -------------------------------------------------------------------

const SENSITIVE_PATTERNS: readonly RegExp[] = [
  /[^\s@]+@[^\s@]+/, // an email (any text@text)
  /[a-z][a-z0-9+.-]*:\/\//i, // a URL with a scheme (https://, s3://, gs://)
  /\bwww\./i,
  /\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\/\S/i, // host/path without a scheme
  /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i, // a UUID (file id)
  /[0-9a-f]{24,}/i, // a long hex id (sha256, object ids)
  /(?:\d[\s.()/-]?){9,}/, // 9+ digits: a phone, an account, an IBAN's body
];
const IBAN_LIKE = /[A-Z]{2}\d{2}[A-Z0-9]{10,30}/i;

/** Values found under these keys anywhere in the input are the proof's own identifiers. */
const IDENTIFYING_KEY = /name|holder|beneficiary|email|e_mail|phone|mobile|iban|account|contact/i;
/** Ids, hashes and locations: a value found under these is searched for whole (never by word). */
const ID_KEY = /(^|_)(id|ids|sha\d*|hash|url|uri|path|key)$|storage|file_?id/i;
const ID_CHARS_MIN = 6;
/** …except these, which are places, verdicts or booleans about them. */
const NON_IDENTIFYING_KEY = /(city|country|_check|match|_present)$/i;
/** Company forms and filler too common to mean a name by themselves. */
const NAME_STOPWORDS = new Set(
  ['sarl', 'sasu', 'eurl', 'gmbh', 'corp', 'company', 'compagnie', 'societe', 'limited'].concat([
    'group',
    'groupe',
    'entreprise',
    'with',
    'from',
    'pour',
    'chez',
  ]),
);
/** Walk of the input for known identifiers: depth and items per level. */
const WALK_DEPTH_MAX = 6;
const WALK_ITEMS_MAX = 200;

function normalizeText(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** The proof's own identifying strings (supplier, beneficiary, emails, IBANs…), normalised. */
class KnownIdentifiers {
  private readonly words = new Set<string>();
  private readonly compacts = new Set<string>();

  /** An id: matched only when a value contains all of it. */
  addWhole(value: string): void {
    const compact = normalizeText(value).replace(/[^a-z0-9]/g, '');
    if (compact.length >= ID_CHARS_MIN) this.compacts.add(compact);
  }

  add(value: string): void {
    const n = normalizeText(value);
    const compact = n.replace(/[^a-z0-9]/g, '');
    if (compact.length >= L.knownNameWordCharsMin) this.compacts.add(compact);
    for (const word of n.split(/[^a-z0-9]+/)) {
      if (word.length >= L.knownNameWordCharsMin && !NAME_STOPWORDS.has(word)) this.words.add(word);
    }
  }

  foundIn(value: string): boolean {
    const n = normalizeText(value);
    const compact = n.replace(/[^a-z0-9]/g, '');
    for (const c of this.compacts) if (compact.includes(c)) return true;
    for (const word of n.split(/[^a-z0-9]+/)) if (this.words.has(word)) return true;
    return false;
  }
}

type Under = 'none' | 'name' | 'id';

function collectIdentifiers(
  value: unknown,
  known: KnownIdentifiers,
  under: Under,
  depth: number,
): void {
  if (depth > WALK_DEPTH_MAX) return;
  if (typeof value === 'string') {
    if (under === 'name') known.add(value);
    else if (under === 'id') known.addWhole(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value.slice(0, WALK_ITEMS_MAX)) {
      collectIdentifiers(item, known, under, depth + 1);
    }
    return;
  }
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value).slice(0, WALK_ITEMS_MAX)) {
    let next = under;
    if (next !== 'name' && !NON_IDENTIFYING_KEY.test(key)) {
      if (IDENTIFYING_KEY.test(key)) next = 'name';
      else if (next === 'none' && ID_KEY.test(key)) next = 'id';
    }
    collectIdentifiers(value[key], known, next, depth + 1);
  }
}

function looksSensitive(value: string, known: KnownIdentifiers): boolean {
  if (SENSITIVE_PATTERNS.some((p) => p.test(value))) return true;
  if (IBAN_LIKE.test(value.replace(/[\s.-]+/g, ''))) return true;
  return known.foundIn(value);
}

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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
