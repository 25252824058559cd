/**
 * Document backend checks (KOBATELA-SPEC §4.8): how a document proof's metadata compares with what
 * the milestone expects. They feed the AI advisor only and never block a proof. They never throw
 * on junk input (a field that cannot be read stays null), and every amount in them is a decimal
 * string, never a number: the reference put Decimals there and broke the AI context's JSON (B3).
 *
 * Amount tolerance (the reference had exact equality only): an **absolute** amount in the
 * invoice's currency units, as a decimal string (`"0.00"` exact, `"0.01"` one cent). Absolute
 * rather than relative because what a reviewer weighs is money: 1 % of a large invoice is a large
 * sum, while rounding and OCR differences are cents whatever the size. `relative_diff` is still
 * reported, (invoice − expected) / expected rounded half-up to 6 decimals.
 *
 * Read from the milestone's `proof_requirements`: `expected_amount`, `expected_currency`,
 * `expected_iban_last4` / `expected_iban`, `expected_date_min` / `expected_date_max`,
 * `expected_store_name` / `expected_beneficiary`. From the metadata: `invoice_total_amount` /
 * `invoice_amount` (then `total` / `total_amount`, the normaliser's other names),
 * `invoice_currency` / `currency`, `invoice_iban_last4` / `iban_last4`, `invoice_date`,
 * `invoice_supplier_name` / `supplier_name`. Only last 4 characters of an IBAN ever appear here.
 */
import Big from 'big.js';
import { codePointCount, lastCodePoints, truncateUtf16 } from '@kob/kernel';
import { type DecimalInput, parseDecimalInput } from './decimal-input';
import { isoDate } from './invoice-dates';
import { isPlainObject } from './invoice-merge';

export const documentCheckLimits = {
  relativeDiffDecimals: 6,
  /** Longest name compared (longer input is cut, never echoed in full). */
  nameLengthMax: 200,
} as const;

const msPerDay = 86_400_000;
// Its own constructor, so division rounds once, half-up, at `relativeDiffDecimals` (no global state).
const RelativeBig = Big();
RelativeBig.DP = documentCheckLimits.relativeDiffDecimals;
RelativeBig.RM = Big.roundHalfUp;

export interface AmountCheck {
  expected_amount: string | null;
  invoice_amount: string | null;
  absolute_diff: string | null;
  relative_diff: string | null;
  amount_tolerance: string;
  currency_expected: string | null;
  currency_actual: string | null;
  currency_match: boolean | null;
  amount_match: boolean | null;
}

export interface IbanCheck {
  expected_iban_last4: string | null;
  invoice_iban_last4: string | null;
  match: boolean | null;
}

export interface DateCheck {
  expected_date_min: string | null;
  expected_date_max: string | null;
  invoice_date: string | null;
  in_range: boolean | null;
  days_from_min: number | null;
  days_from_max: number | null;
}

export interface SupplierCheck {
  expected_name: string | null;
  actual_name: string | null;
  exact_match: boolean | null;
}

export interface DocumentChecks {
  has_metadata: boolean;
  amount_check: AmountCheck;
  iban_check: IbanCheck;
  date_check: DateCheck;
  supplier_check: SupplierCheck;
}

export interface DocumentCheckOptions {
  /** Absolute tolerance in currency units, a decimal string ≥ 0 such as "0.01". */
  amountTolerance: string;
}

type Source = Record<string, unknown>;

const INVOICE_AMOUNT_KEYS = ['invoice_total_amount', 'invoice_amount', 'total', 'total_amount'];

function firstPresent(source: Source, keys: string[]): unknown {
  for (const key of keys) {
    const value = Object.prototype.hasOwnProperty.call(source, key) ? source[key] : undefined;
    if (value !== null && value !== undefined && value !== '') return value;
  }
  return undefined;
}

function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const t = truncateUtf16(value.trim(), documentCheckLimits.nameLengthMax);
  return t.length > 0 ? t : null;
}

function written(d: DecimalInput): string {
  return d.value.toFixed(d.places);
}

function relative(diff: Big, expected: Big): string | null {
  if (expected.eq(0)) return null;
  return new RelativeBig(diff).div(expected).toFixed(documentCheckLimits.relativeDiffDecimals);
}

function amountCheck(req: Source, meta: Source, tolerance: DecimalInput): AmountCheck {
  const expected = parseDecimalInput(firstPresent(req, ['expected_amount']));
  const invoice = parseDecimalInput(firstPresent(meta, INVOICE_AMOUNT_KEYS));
  const currencyExpected = text(req.expected_currency)?.toUpperCase() ?? null;
  const currencyActual =
    text(firstPresent(meta, ['invoice_currency', 'currency']))?.toUpperCase() ?? null;
  const diff = expected && invoice ? invoice.value.minus(expected.value) : null;
  return {
    expected_amount: expected ? written(expected) : null,
    invoice_amount: invoice ? written(invoice) : null,
    // Written with the inputs' decimals, as Python's Decimal does ("130.50" − "100" = "30.50").
    absolute_diff:
      diff && expected && invoice ? diff.toFixed(Math.max(expected.places, invoice.places)) : null,
    relative_diff: diff && expected ? relative(diff, expected.value) : null,
    amount_tolerance: written(tolerance),
    currency_expected: currencyExpected,
    currency_actual: currencyActual,
    currency_match: currencyExpected && currencyActual ? currencyExpected === currencyActual : null,
    amount_match: diff ? diff.abs().lte(tolerance.value) : null,
  };
}

function last4(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const compact = value.replace(/\s+/g, '').toUpperCase();
  // Code points, not code units: half a surrogate pair is not a character (issue 12).
  return codePointCount(compact) >= 4 ? lastCodePoints(compact, 4) : null;
}

function ibanCheck(req: Source, meta: Source): IbanCheck {
  const expected = last4(firstPresent(req, ['expected_iban_last4', 'expected_iban']));
  const actual = last4(firstPresent(meta, ['invoice_iban_last4', 'iban_last4']));
  const match = expected && actual ? expected === actual : null;
  return { expected_iban_last4: expected, invoice_iban_last4: actual, match };
}

function parseIsoDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim());
  return m ? isoDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

function daysBetween(later: string, earlier: string): number {
  const ms = Date.parse(`${later}T00:00:00Z`) - Date.parse(`${earlier}T00:00:00Z`);
  return Math.round(ms / msPerDay);
}

function dateCheck(req: Source, meta: Source): DateCheck {
  const min = parseIsoDate(req.expected_date_min);
  const max = parseIsoDate(req.expected_date_max);
  const invoice = parseIsoDate(meta.invoice_date);
  const fromMin = invoice && min ? daysBetween(invoice, min) : null;
  const fromMax = invoice && max ? daysBetween(invoice, max) : null;
  const inRange =
    invoice && (min || max)
      ? (fromMin === null || fromMin >= 0) && (fromMax === null || fromMax <= 0)
      : null;
  return {
    expected_date_min: min,
    expected_date_max: max,
    invoice_date: invoice,
    in_range: inRange,
    days_from_min: fromMin,
    days_from_max: fromMax,
  };
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\s+/g, ' ') === b.toLowerCase().replace(/\s+/g, ' ');
}

function supplierCheck(req: Source, meta: Source): SupplierCheck {
  const expected = text(firstPresent(req, ['expected_store_name', 'expected_beneficiary']));
  const actual = text(firstPresent(meta, ['invoice_supplier_name', 'supplier_name']));
  return {
    expected_name: expected,
    actual_name: actual,
    exact_match: expected && actual ? sameName(expected, actual) : null,
  };
}

/** Refuses a tolerance that is not a decimal string ≥ 0: that is a configuration error. */
export function parseAmountTolerance(value: string): DecimalInput {
  const parsed = typeof value === 'string' ? parseDecimalInput(value) : null;
  if (!parsed || parsed.value.lt(0)) {
    const got = JSON.stringify(value);
    throw new Error(`amount tolerance must be a decimal string >= 0 such as "0.01", got ${got}`);
  }
  return parsed;
}

export function documentChecks(
  proofRequirements: unknown,
  metadata: unknown,
  options: DocumentCheckOptions,
): DocumentChecks {
  const tolerance = parseAmountTolerance(options.amountTolerance);
  const req = isPlainObject(proofRequirements) ? proofRequirements : {};
  const meta = isPlainObject(metadata) ? metadata : {};
  return {
    has_metadata: Object.keys(meta).length > 0,
    amount_check: amountCheck(req, meta, tolerance),
    iban_check: ibanCheck(req, meta),
    date_check: dateCheck(req, meta),
    supplier_check: supplierCheck(req, meta),
  };
}
