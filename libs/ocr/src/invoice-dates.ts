/**
 * Dates in invoice text, as `YYYY-MM-DD`: ISO (`2026-11-27`), numeric (`27/11/2026`, `11/27/26`,
 * `27.11.2026`) and with month names in English or French (`Nov 27, 2026`, `27 novembre 2026`,
 * `1er déc. 2026`). Only real calendar dates count (no 31 April).
 *
 * Numeric dates: when one part is above 12 the order is clear. When both could be a month
 * (`03/04/2026`), the date is read day first in a French document and left unread (null) in any
 * other: an English invoice may be American (month first) or British (day first), and a wrong date
 * is worse than none.
 *
 * The invoice date is the date labelled as such (`Date de facture`, `Invoice date`, `Date of
 * issue`), else one labelled `Date`, else the first unlabelled date. A date labelled as a due,
 * delivery, order or period date is never taken for the invoice date.
 */
import type { InvoiceText } from './invoice-text';

export const dateLimits = {
  /** Characters before a date searched for its label. */
  labelWindowChars: 40,
  yearMin: 1990,
  yearMax: 2199,
} as const;

const MONTHS: Readonly<Record<string, number>> = {
  janvier: 1,
  january: 1,
  janv: 1,
  jan: 1,
  fevrier: 2,
  february: 2,
  fevr: 2,
  fev: 2,
  feb: 2,
  mars: 3,
  march: 3,
  mar: 3,
  avril: 4,
  april: 4,
  avr: 4,
  apr: 4,
  mai: 5,
  may: 5,
  juin: 6,
  june: 6,
  jun: 6,
  juillet: 7,
  july: 7,
  juil: 7,
  jul: 7,
  aout: 8,
  august: 8,
  aug: 8,
  septembre: 9,
  september: 9,
  sept: 9,
  sep: 9,
  octobre: 10,
  october: 10,
  oct: 10,
  novembre: 11,
  november: 11,
  nov: 11,
  decembre: 12,
  december: 12,
  dec: 12,
};
// Longest names first, so `mars` is not read as `mar` + `s`.
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

const ISO_RE = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/g;
const NUMERIC_RE = /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})\b/g;
const DAY_MONTH_RE = new RegExp(
  String.raw`\b(\d{1,2})(?:er|st|nd|rd|th)?\s+(${MONTH_ALT})\b\.?,?\s+(\d{4})\b`,
  'g',
);
const MONTH_DAY_RE = new RegExp(
  String.raw`\b(${MONTH_ALT})\b\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`,
  'g',
);

const NOT_INVOICE_DATE_LABEL =
  /\b(?:due|echeance|date\s*limite|expir\w*|valid\w*|valable|livraison|delivery|delivered|(?:periode|period)(?:\s*(?:du|from))?|commande|order|paiement|payment|pay\s*by|au|to|until|jusqu\w*)(?:\s*date)?[\s:.\-_]*(?:le\s|on\s)?$/;
const INVOICE_DATE_LABEL =
  /(?:date\s*(?:de\s*(?:la\s*)?)?factur\w*|date\s*d.emission|emise?\s*le|invoice\s*date|date\s*of\s*issue|issue\s*date|issued\s*(?:on)?|invoice\s*dated|dated|facture\s*du)[\s:.\-_]*(?:le\s|on\s)?$/;
const DATE_LABEL = /\bdate\b[\s:.\-_]*(?:le\s|on\s)?$/;

/** A date found in the text; `iso` is null when it cannot be read without guessing. */
export interface DateHit {
  line: number;
  start: number;
  end: number;
  iso: string | null;
}

export function isoDate(year: number, month: number, day: number): string | null {
  if (year < dateLimits.yearMin || year > dateLimits.yearMax || month < 1 || month > 12 || day < 1)
    return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function numericDate(a: number, b: number, yearText: string, french: boolean): string | null {
  const year = yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText);
  if (a > 12) return isoDate(year, b, a);
  if (b > 12 || a === b) return isoDate(year, a, b);
  return french ? isoDate(year, b, a) : null;
}

/** Every date in one (folded) line, with its position. */
export function datesInLine(folded: string, line: number, french: boolean): DateHit[] {
  const hits: DateHit[] = [];
  const push = (m: RegExpExecArray, iso: string | null) =>
    hits.push({ line, start: m.index, end: m.index + m[0].length, iso });
  for (const m of folded.matchAll(ISO_RE))
    push(m, isoDate(Number(m[1]), Number(m[2]), Number(m[3])));
  for (const m of folded.matchAll(NUMERIC_RE))
    push(m, numericDate(Number(m[1]), Number(m[3]), m[4]!, french));
  for (const m of folded.matchAll(DAY_MONTH_RE))
    push(m, isoDate(Number(m[3]), MONTHS[m[2]!]!, Number(m[1])));
  for (const m of folded.matchAll(MONTH_DAY_RE))
    push(m, isoDate(Number(m[3]), MONTHS[m[1]!]!, Number(m[2])));
  return hits.sort((x, y) => x.start - y.start);
}

/** 3 labelled invoice date, 2 labelled `date`, 1 unlabelled, 0 another kind of date. */
function labelScore(folded: string, start: number): number {
  const before = folded.slice(Math.max(0, start - dateLimits.labelWindowChars), start);
  if (NOT_INVOICE_DATE_LABEL.test(before)) return 0;
  if (INVOICE_DATE_LABEL.test(before)) return 3;
  return DATE_LABEL.test(before) ? 2 : 1;
}

export function findInvoiceDate(doc: InvoiceText): string | null {
  let best: { score: number; iso: string } | null = null;
  for (let line = 0; line < doc.folded.length; line++) {
    const folded = doc.folded[line]!;
    for (const hit of datesInLine(folded, line, doc.french)) {
      const score = labelScore(folded, hit.start);
      if (hit.iso !== null && score > 0 && (best === null || score > best.score))
        best = { score, iso: hit.iso };
    }
  }
  return best?.iso ?? null;
}
