/**
 * Masking of a proof's metadata in responses (KOBATELA-SPEC §4.9), recursive and by key name,
 * case-insensitive: names and addresses of people and suppliers hidden whole, emails to
 * `***@domain`, phone numbers to their last 2 digits, IBANs and account numbers to their last 4
 * (`****…1234`); and, whatever their key, strings shaped like an IBAN or an email address. Booleans and nulls are never masked; lists of scalars are masked by their
 * parent's key. Pure, so the same rules hold for every response that shows metadata.
 */
import { isEmailShaped, isIbanShaped } from '@kob/kernel';

const HIDDEN = new Set([
  'beneficiary_name',
  'beneficiary_address',
  'supplier_name',
  'supplier_address',
  'supplier_city',
  'supplier_country',
  'account_holder',
]);
const EMAIL_KEYS = new Set(['email', 'phone', 'mobile', 'contact_phone']);
const IBAN_KEYS = new Set([
  'iban',
  'iban_full',
  'iban_full_masked',
  'iban_masked',
  'iban_last4',
  'beneficiary_iban',
  'beneficiary_iban_last4',
  'supplier_iban',
  'supplier_iban_last4',
  'account_number',
]);
const DEPTH_MAX = 32;

type Rule = (value: string) => string;

const hidden: Rule = () => '***masked***';
const email: Rule = (v) => {
  const at = v.lastIndexOf('@');
  return at === -1 || at === v.length - 1 ? '***@***' : `***@${v.slice(at + 1)}`;
};
const phone: Rule = (v) => `***${v.replace(/\D/g, '').slice(-2)}`;
const lastFour: Rule = (v) => {
  const alnum = v.replace(/[^A-Za-z0-9]/g, '');
  return alnum.length <= 4 ? `***${alnum}` : `${'*'.repeat(alnum.length - 4)}${alnum.slice(-4)}`;
};

function ruleFor(key: string): Rule | null {
  const k = key.toLowerCase();
  if (HIDDEN.has(k)) return hidden;
  if (EMAIL_KEYS.has(k) || k.endsWith('_email')) return email;
  if (k.includes('phone') || k.includes('mobile')) return phone;
  if (
    IBAN_KEYS.has(k) ||
    k.includes('account_number') ||
    (k.includes('iban') && !k.includes('check') && !k.includes('match'))
  )
    return lastFour;
  return null;
}

/** A sensitive key's value: every scalar inside it masked by the key's rule, however nested. */
function applyRule(rule: Rule, value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') return rule(value);
  // A bigint is never in stored JSON, but a rule must not let any number through unmasked.
  if (typeof value === 'number' || typeof value === 'bigint') return rule(String(value));
  if (depth >= DEPTH_MAX) return '***';
  if (Array.isArray(value)) return value.map((item) => applyRule(rule, item, depth + 1));
  if (typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, applyRule(rule, v, depth + 1)]),
    );
  return value;
}

/** Strings masked by their shape whatever their key: IBANs and email addresses. */
function maskByShape(value: string): string {
  if (isIbanShaped(value)) return lastFour(value);
  if (isEmailShaped(value)) return email(value);
  return value;
}

function maskValue(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskByShape(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= DEPTH_MAX) return '***';
  if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      const rule = ruleFor(key);
      return [key, rule ? applyRule(rule, inner, depth) : maskValue(inner, depth + 1)];
    }),
  );
}

export function maskProofMetadata(metadata: unknown): unknown {
  return maskValue(metadata, 0);
}
