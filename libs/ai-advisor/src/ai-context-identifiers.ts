/** What looks identifying in a proof's input: patterns, and the proof's own known identifiers. */
import { aiAdvisorLimits as L } from './ai-advisor-limits';

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
export class KnownIdentifiers {
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

export function collectIdentifiers(
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

export function looksSensitive(value: string, known: KnownIdentifiers): boolean {
  if (SENSITIVE_PATTERNS.some((p) => p.test(value))) return true;
  if (IBAN_LIKE.test(value.replace(/[\s.-]+/g, ''))) return true;
  return known.foundIn(value);
}
