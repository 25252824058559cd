/**
 * Recognising personal data by its shape, for masks that cannot rely on key names alone (client
 * metadata names its keys freely: `rib`, `bank_details`, `contact.mail`).
 */

/** An IBAN: country, check digits, 11–30 more, and a valid ISO 7064 mod-97 checksum. */
export function isIbanShaped(value: string): boolean {
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
  return /^[^@\s]{1,128}@[^@\s.]+(\.[^@\s.]+)+$/.test(value.trim());
}
