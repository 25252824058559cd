/**
 * The invoice total and its currency, from text.
 *
 * Total: the amount after a total label, by priority — the invoice's total with tax (`Total TTC`,
 * `Montant TTC`, `Grand total`, `Invoice total`, `Total incl. VAT`: 4), then what is left to pay
 * (`Net à payer`, `Reste à payer`, `Amount due`, `Balance due`: 3; after a deposit it is less than
 * the total), then `Total`, `Montant total`, `Total amount` (2), then `Total HT` / `Total excl.
 * VAT` (1, only when nothing better exists). Sub-totals and tax lines never count. Among labels
 * of the same priority the last one wins (the summary sits at the bottom). The amount is
 * the first number after the label (within `amountWindowChars`) that has decimals or a currency
 * next to it, else the first number; when the label ends its line, the start of the next line.
 *
 * Numbers: `1,234.50`, `1 234,50`, `1.234,50`, `1'234.50`, `321,00`, `99`. A single separator
 * followed by exactly 3 digits is a thousands separator (`1,234` = 1234), except for currencies
 * with 3 decimals (KWD, TND…) or when more than 3 digits precede it.
 *
 * Currency: a code or symbol next to the total, else on the total's line, else the one currency
 * the whole document names. `€` is EUR, `£` GBP, `US$` USD, `C$`/`CA$` CAD… A bare `$` is USD
 * only when the document names no other dollar currency (CAD, AUD, `C$`…); `¥` and `FCFA` need
 * the document to name JPY/CNY or XOF/XAF to be read. Codes are those of `knownCurrencyCodes`.
 *
 * The amount is written at the currency's scale; more decimals than that are rounded half-up
 * (KOBATELA-SPEC §4.1: invoice amounts from OCR are rounded 0.01 half-up).
 */
import Big from 'big.js';
import { type CurrencyScales, RoundingMode, amountIntegerDigitsMax } from '@kob/kernel';
import { currencyScale, knownCurrencyCodes } from './currency-units';
import { datesInLine } from './invoice-dates';
import { type InvoiceText, fold } from './invoice-text';

export const amountLimits = {
  /** Characters after a total label searched for its amount. */
  amountWindowChars: 80,
  /** Characters around a number searched for its currency. */
  markerWindowChars: 8,
  /** Position within the next line where an amount may start to belong to a label above it. */
  nextLineAmountStartMax: 4,
} as const;

const TOTAL_LABELS: readonly { re: RegExp; priority: number }[] = [
  {
    priority: 4,
    re: /\b(?:total\s*(?:ttc|t\.t\.c\.?|\(ttc\)|toutes\s*taxes\s*comprises|incl\w*\.?\s*(?:tax\w*|vat|tva))|montant\s*(?:total\s*)?ttc|grand\s*total|invoice\s*total)(?![a-z])/g,
  },
  {
    priority: 3,
    re: /\b(?:montant\s*(?:du|a\s*payer)|net\s*a\s*payer|(?:total|reste|solde)\s*a\s*payer|(?:total\s*)?amount\s*(?:due|payable)|total\s*(?:due|payable)|balance\s*due)(?![a-z])/g,
  },
  {
    priority: 2,
    re: /\b(?:montant\s*total|total\s*amount|total)\b(?!\s*(?:ht|h\.t|hors|excl|ex\b|net|tva|vat|tax))/g,
  },
  {
    priority: 1,
    re: /\btotal\s*(?:ht|h\.t\.?|hors\s*tax\w*|excl\w*\.?\s*(?:tax\w*|vat|tva)|net)(?![a-z])/g,
  },
];
const SUBTOTAL_BEFORE = /(?:sous|sub)[\s-]?$/;

const NUMBER_RE =
  /(?<![\w.,/-])-?(?:\d{1,3}(?:[ .,'’]\d{3})+(?:[.,]\d{1,3})?|\d+(?:[.,]\d{1,3})?)(?![\d/%]|[.,]\d)/g;
const MARK_AFTER = /^ ?(US\$|[A-Z]{1,2}\$|€|\$|£|¥|₦|euros?\b|f ?cfa\b|[A-Za-z]{3}(?![A-Za-z]))/i;
const MARK_BEFORE = /(US\$|[A-Z]{1,2}\$|€|\$|£|¥|₦|\b[A-Za-z]{3}|\bf ?cfa)[ :]?$/i;
const MARK_ANYWHERE = /US\$|[A-Z]{1,2}\$|€|\$|£|¥|₦|\beuros?\b|\bf ?cfa\b|\b[A-Z]{3}\b/gi;
const PREFIXED_DOLLARS: Readonly<Record<string, string>> = {
  US: 'USD',
  C: 'CAD',
  CA: 'CAD',
  A: 'AUD',
  AU: 'AUD',
  NZ: 'NZD',
  HK: 'HKD',
  S: 'SGD',
  R: 'BRL',
  MX: 'MXN',
};
const OTHER_DOLLAR_CODES = ['CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'BRL', 'MXN'];

interface NumberToken {
  start: number;
  end: number;
  text: string;
  marker: string | null;
}

/** What the whole document says about currencies, to read ambiguous symbols. */
interface CurrencyContext {
  codes: ReadonlySet<string>;
  otherDollar: boolean;
}

function currencyContext(doc: InvoiceText): CurrencyContext {
  const codes = new Set<string>();
  let otherDollar = false;
  for (const line of doc.lines) {
    for (const m of line.matchAll(/\b[A-Z]{3}\b/g))
      if (knownCurrencyCodes.has(m[0])) codes.add(m[0]);
    for (const m of line.matchAll(/([A-Z]{1,2})\$/g)) if (m[1] !== 'US') otherDollar = true;
  }
  if (OTHER_DOLLAR_CODES.some((c) => codes.has(c))) otherDollar = true;
  return { codes, otherDollar };
}

function pickBetween(ctx: CurrencyContext, a: string, b: string): string | null {
  if (ctx.codes.has(a) === ctx.codes.has(b)) return null;
  return ctx.codes.has(a) ? a : b;
}

export function resolveCurrencyMarker(raw: string, ctx: CurrencyContext): string | null {
  const m = raw.toUpperCase().replace(/\s/g, '');
  if (m === '€' || m.startsWith('EURO')) return 'EUR';
  if (m === '£') return 'GBP';
  if (m === '₦') return 'NGN';
  if (m === 'FCFA') return pickBetween(ctx, 'XOF', 'XAF');
  if (m === '¥') return pickBetween(ctx, 'JPY', 'CNY');
  if (m === '$') return ctx.otherDollar ? null : 'USD';
  if (m.endsWith('$')) return PREFIXED_DOLLARS[m.slice(0, -1)] ?? null;
  return /^[A-Z]{3}$/.test(m) && knownCurrencyCodes.has(m) ? m : null;
}

/** Numbers of a stretch of text (dates and percentages are not amounts). */
function numbersIn(text: string, ctx: CurrencyContext, french: boolean): NumberToken[] {
  let masked = text;
  for (const d of datesInLine(fold(text), 0, french)) {
    masked = masked.slice(0, d.start) + ' '.repeat(d.end - d.start) + masked.slice(d.end);
  }
  const tokens: NumberToken[] = [];
  for (const m of masked.matchAll(NUMBER_RE)) {
    const start = m.index;
    const end = start + m[0].length;
    const after = masked.slice(end, end + amountLimits.markerWindowChars);
    if (/^ ?%/.test(after)) continue;
    const before = masked.slice(Math.max(0, start - amountLimits.markerWindowChars), start);
    const rawMarks = [MARK_BEFORE.exec(before)?.[1], MARK_AFTER.exec(after)?.[1]];
    const marker =
      rawMarks.find((r) => r !== undefined && resolveCurrencyMarker(r, ctx) !== null) ?? null;
    tokens.push({ start, end, text: m[0], marker });
  }
  return tokens;
}

function preferred(tokens: NumberToken[]): NumberToken | null {
  return tokens.find((t) => t.marker !== null || /[.,]\d{1,3}$/.test(t.text)) ?? tokens[0] ?? null;
}

interface TotalCandidate {
  priority: number;
  line: number;
  token: NumberToken;
}

function amountAfterLabel(
  doc: InvoiceText,
  ctx: CurrencyContext,
  line: number,
  labelEnd: number,
): NumberToken | null {
  const text = doc.lines[line]!.slice(labelEnd, labelEnd + amountLimits.amountWindowChars);
  const sameLine = preferred(numbersIn(text, ctx, doc.french));
  if (sameLine) return sameLine;
  if (/[a-z]{2}/i.test(text.replace(MARK_ANYWHERE, ''))) return null;
  const next = doc.lines.slice(line + 1).find((l) => l.length > 0);
  if (next === undefined) return null;
  const head = numbersIn(next.slice(0, amountLimits.amountWindowChars), ctx, doc.french);
  const first = head[0];
  return first && first.start <= amountLimits.nextLineAmountStartMax ? first : null;
}

function totalCandidates(doc: InvoiceText, ctx: CurrencyContext): TotalCandidate[] {
  const found: TotalCandidate[] = [];
  doc.folded.forEach((folded, line) => {
    for (const { re, priority } of TOTAL_LABELS) {
      for (const m of folded.matchAll(re)) {
        if (SUBTOTAL_BEFORE.test(folded.slice(Math.max(0, m.index - 5), m.index))) continue;
        const token = amountAfterLabel(doc, ctx, line, m.index + m[0].length);
        if (token) found.push({ priority, line, token });
      }
    }
  });
  return found;
}

/** The number a token writes, or null; `scale` decides whether `1.234` is 1.234 or 1234. */
export function parseAmountText(text: string, scale: number): Big | null {
  const negative = text.startsWith('-');
  const s = text.replace(/^-/, '').replace(/[ '’]/g, '');
  const sep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let digits = s;
  if (sep >= 0) {
    const decimalChar = s[sep]!;
    const other = decimalChar === '.' ? ',' : '.';
    const intPart = s.slice(0, sep);
    const fraction = s.slice(sep + 1);
    const repeated = s.split(decimalChar).length > 2;
    const mixed = s.includes(other);
    if (mixed && repeated) return null;
    const plainGroup = scale !== 3 && intPart.length <= 3 && !intPart.startsWith('0');
    const grouping = !mixed && fraction.length === 3 && (repeated || plainGroup);
    digits = grouping ? s.replace(/[.,]/g, '') : `${intPart.replace(/[.,]/g, '')}.${fraction}`;
  }
  if (!/^\d+(\.\d+)?$/.test(digits)) return null;
  const value = new Big(digits);
  if (value.round(0, RoundingMode.Down).toFixed().length > amountIntegerDigitsMax) return null;
  return negative ? value.neg() : value;
}

function documentCurrency(doc: InvoiceText, ctx: CurrencyContext, lines: string[]): string | null {
  const found = new Set<string>();
  for (const line of lines) {
    for (const m of line.matchAll(MARK_ANYWHERE)) {
      // Bare three-letter words count only in upper case (`EUR`, not `par`).
      if (/^[a-z]/i.test(m[0]) && m[0].length === 3 && m[0] !== m[0].toUpperCase()) continue;
      const code = resolveCurrencyMarker(m[0], ctx);
      if (code) found.add(code);
    }
  }
  return found.size === 1 ? [...found][0]! : null;
}

export function findTotalAndCurrency(
  doc: InvoiceText,
  configured?: CurrencyScales,
): { total: string | null; currency: string | null } {
  const ctx = currencyContext(doc);
  const candidates = totalCandidates(doc, ctx);
  const best = candidates.reduce<TotalCandidate | null>(
    (a, c) =>
      a === null || c.priority > a.priority || (c.priority === a.priority && c.line >= a.line)
        ? c
        : a,
    null,
  );
  const markerCurrency = best?.token.marker ? resolveCurrencyMarker(best.token.marker, ctx) : null;
  const currency =
    markerCurrency ??
    (best ? documentCurrency(doc, ctx, [doc.lines[best.line]!]) : null) ??
    documentCurrency(doc, ctx, doc.lines);
  if (!best) return { total: null, currency };
  const scale = currencyScale(currency, configured);
  const value = parseAmountText(best.token.text, scale);
  return { total: value ? value.round(scale, RoundingMode.HalfUp).toFixed(scale) : null, currency };
}
