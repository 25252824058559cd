/**
 * The audit sanitiser (KOBATELA-SPEC.md §4.14, extended by issue 3): a pure function that walks
 * event data through objects and arrays and masks the values of sensitive keys, matched exactly
 * by name in both snake_case and camelCase (our events are camelCase, the old service's payloads
 * snake_case). The audit_log read model stores only its output, so `GET /audit/events` can never
 * show what it masks; the raw stream route is the one place PII is shown, to auditors.
 *
 * Rules that keep "the last N characters" count code points, never UTF-16 code units: a cut
 * through a surrogate pair (`ab🙂cde` → `\uDE42cde`) leaves half a character, which PostgreSQL's
 * jsonb refuses, and the audit_log projector halted on it for good (issue 12). So every rule's
 * output is well-formed Unicode whenever its input is.
 *
 * Changing a rule changes what the read model holds: bump the projector's version so it rebuilds.
 */

import { codePointCount, lastCodePoints } from '@kob/kernel';
import { isEmailShaped, isIbanShaped } from '@kob/kernel';

/** Deeper data than this is replaced whole: nothing below it is shown unmasked. */
export const AUDIT_MASK_DEPTH_MAX = 64;

export const MASK = '***';
export const SUPPLIER_NAME_MASK = '***masked***';

type Rule = (value: string) => string;

/** `***` + the last 4 characters once spaces are removed (`***` + all of it when ≤ 4). */
const lastFour: Rule = (value) => {
  const compact = value.replace(/\s+/g, '');
  return MASK + lastCodePoints(compact, 4);
};

/** `***` + the last 2 characters: the value is already only the end of an IBAN. */
const lastTwo: Rule = (value) => MASK + lastCodePoints(value, 2);

/** `***@<domain>`; without an `@` (or with nothing after it) nothing is shown. */
const email: Rule = (value) => {
  const at = value.lastIndexOf('@');
  const domain = at === -1 ? '' : value.slice(at + 1);
  return domain ? `${MASK}@${domain}` : MASK;
};

/**
 * A storage URL without its query string (signed URLs carry their credentials there) and its
 * last segment (the object's name): `https://h/proofs/a.jpg?sig=x` → `https://h/proofs/***`.
 * The fragment goes too, for the same reason as the query.
 */
const storageUrl: Rule = (value) => {
  const base = value.split(/[?#]/, 1)[0] ?? '';
  const slash = base.lastIndexOf('/');
  return slash === -1 ? `${MASK}/${MASK}` : `${base.slice(0, slash)}/${MASK}`;
};

/** A PSP reference of 6 characters or fewer is hidden whole: its last 4 would be most of it. */
const pspReference: Rule = (value) =>
  codePointCount(value) <= 6 ? MASK : MASK + lastCodePoints(value, 4);

/**
 * `psp_ref` (issue 3): `***` + the last 4. Unlike the IBAN family, a value of 4 characters or
 * fewer is hidden whole: `***` + its last 4 would be the reference itself.
 */
const pspRef: Rule = (value) =>
  codePointCount(value) <= 4 ? MASK : MASK + lastCodePoints(value, 4);

const fixed =
  (mask: string): Rule =>
  () =>
    mask;

/** Rules by snake_case key; each also applies to the camelCase spelling of its key. */
const RULES_BY_SNAKE_KEY: Readonly<Record<string, Rule>> = {
  iban: lastFour,
  iban_full: lastFour,
  iban_full_masked: lastFour,
  account_number: lastFour,
  card_number: lastFour,
  iban_last4: lastTwo,
  email,
  storage_url: storageUrl,
  proof_url: storageUrl,
  psp_reference: pspReference,
  psp_ref: pspRef,
  // The PSP webhook's other spelling of psp_ref (KOBATELA-SPEC §4.11), kept in its payload.
  payment_reference: pspRef,
  supplier_name: fixed(SUPPLIER_NAME_MASK),
  // Secrets are never shown, not even in part.
  key: fixed(MASK),
  key_hash: fixed(MASK),
  // A plain hash of a request body holding PII can be reversed by guessing the body.
  request_hash: fixed(MASK),
};

function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

const RULES: ReadonlyMap<string, Rule> = new Map(
  Object.entries(RULES_BY_SNAKE_KEY).flatMap(([key, rule]) => [
    [key, rule] as const,
    [camelCase(key), rule] as const,
  ]),
);

/**
 * Keys clients name freely (proof metadata): an IBAN-shaped value under any key naming `iban`
 * (`beneficiary_iban`), an email under any `*_email`/`*Email` key, digits under any key naming
 * an account number. Applied when no exact rule matched; values of another shape (`iban_country:
 * "FR"`) are left as they are.
 */
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$/i;

function patternRule(key: string, value: unknown): Rule | null {
  if (typeof value !== 'string') return null;
  const k = key.toLowerCase();
  if (k.includes('iban') && IBAN_SHAPE.test(value.replace(/\s+/g, ''))) return lastFour;
  if ((/_email$/.test(key) || /[a-z0-9]Email$/.test(key)) && value.includes('@')) return email;
  if ((k.includes('account_number') || k.includes('accountnumber')) && /\d{5,}/.test(value))
    return lastFour;
  return null;
}

/** The keys whose values are masked (both spellings), for tests and documentation. */
export const MASKED_KEYS: readonly string[] = [...RULES.keys()];

/**
 * Masks `data` (JSON as stored in an event). Strings and numbers under a masked key go through
 * its rule; `null` stays `null` (it discloses nothing); anything else under a masked key (an
 * object, an array, a boolean) cannot be masked by a string rule and becomes `***` whole.
 */
export function maskAuditData(data: unknown): unknown {
  return maskValue(data, 0);
}

function maskValue(value: unknown, depth: number): unknown {
  // Whatever its key: a string shaped like an IBAN or an email address (client metadata).
  if (typeof value === 'string')
    return isIbanShaped(value) ? lastFour(value) : isEmailShaped(value) ? email(value) : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= AUDIT_MASK_DEPTH_MAX) return MASK;
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  const masked: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner: unknown = (value as Record<string, unknown>)[key];
    const rule = RULES.get(key) ?? patternRule(key, inner);
    const out = rule ? applyRule(rule, inner) : maskValue(inner, depth + 1);
    // Defined, not assigned: a `__proto__` key in the data stays a plain key.
    if (key === '__proto__')
      Object.defineProperty(masked, key, {
        value: out,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else masked[key] = out;
  }
  return masked;
}

function applyRule(rule: Rule, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string') return rule(value);
  if (typeof value === 'number' || typeof value === 'bigint') return rule(String(value));
  return MASK;
}
