/**
 * Finds an IBAN in invoice text and keeps only its last 4 characters: the full number is never
 * returned, stored or logged (KOBATELA-SPEC R7; only `iban_last4` exists in our metadata).
 *
 * A candidate counts only if its country is one that issues IBANs, its length is that country's
 * IBAN length, and its ISO 13616 check digits hold (mod 97 = 1). The check digits matter for OCR:
 * a misread character almost always breaks them, and no last 4 is better than a wrong one that a
 * document check would then report as a mismatch.
 */

/** IBAN length per country (SWIFT IBAN registry, plus the IBAN-format accounts of francophone Africa). */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
  // IBAN-format account numbers used by the banks of the UEMOA/CEMAC zones, Morocco, Algeria…
  AO: 25,
  BF: 28,
  BJ: 28,
  CF: 27,
  CG: 27,
  CI: 28,
  CM: 27,
  CV: 25,
  DZ: 26,
  GA: 27,
  GQ: 27,
  GW: 25,
  KM: 27,
  MA: 28,
  MG: 27,
  ML: 28,
  MZ: 25,
  NE: 28,
  SN: 28,
  TD: 27,
  TG: 28,
};

export const ibanLimits = {
  /** Candidates examined per document (a page of numbers must not cost quadratic time). */
  candidatesMax: 50,
} as const;

/** ISO 13616 check: move the first 4 characters to the end, letters → 10..35, mod 97 = 1. */
export function ibanChecksumValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/**
 * The last 4 characters of the first valid IBAN in the text (one after an `IBAN` label first),
 * or null. Spaces inside the number are allowed (printed IBANs are grouped by 4).
 */
export function findIbanLast4(text: string): string | null {
  const upper = text.toUpperCase();
  const candidates: { index: number; compact: string }[] = [];
  // Two letters, two digits, then letters/digits with single spaces; the length check trims it.
  const re = /\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){10,32})/g;
  for (
    let m = re.exec(upper);
    m && candidates.length < ibanLimits.candidatesMax;
    m = re.exec(upper)
  ) {
    const compact = m[1]!.replace(/ /g, '');
    const length = IBAN_LENGTHS[compact.slice(0, 2)];
    if (
      length !== undefined &&
      compact.length >= length &&
      ibanChecksumValid(compact.slice(0, length))
    ) {
      candidates.push({ index: m.index, compact: compact.slice(0, length) });
    }
    re.lastIndex = m.index + 1;
  }
  if (candidates.length === 0) return null;
  const labelled = candidates.find((c) =>
    /IBAN\W{0,4}$/.test(upper.slice(Math.max(0, c.index - 8), c.index)),
  );
  return (labelled ?? candidates[0]!).compact.slice(-4);
}
