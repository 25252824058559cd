/**
 * Recognising personal data by its shape, for masks that cannot rely on key names alone (client
 * metadata names its keys freely: `rib`, `bank_details`, `contact.mail`).
 */

/**
 * Values that cannot be IBANs, told from their first characters without copying them (the masks
 * ask this of every string they walk: ids, amounts, dates): once spaces and dashes are skipped, a
 * digit first, a letter then a digit, or two letters then neither a digit nor a space or dash.
 * Only ASCII letters and digits decide: they upper-case to themselves, one for one, and no
 * character upper-cases to a digit (others may grow: `ß` becomes `SS`, so no length says no).
 */
const NOT_IBAN_START = /^[\s-]*(?:\d|[A-Za-z][\s-]*(?:\d|[A-Za-z][\s-]*[^\d\s-]))/;

/** An IBAN: country, check digits, 11–30 more, and a valid ISO 7064 mod-97 checksum. */
export function isIbanShaped(value: string): boolean {
  return !NOT_IBAN_START.test(value) && ibanRule(value);
}

/** `isIbanShaped` as the rule states it, without the early answer (its property test compares). */
export function ibanRule(value: string): boolean {
  const compact = value.replace(/[\s-]+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/** An email address (one `@`, a dotted domain, no spaces). */
export function isEmailShaped(value: string): boolean {
  return value.includes('@') && emailRule(value);
}

/** `isEmailShaped` as the rule states it, without the early answer (its property test compares). */
export function emailRule(value: string): boolean {
  return /^[^@\s]{1,128}@[^@\s.]+(\.[^@\s.]+)+$/.test(value.trim());
}
