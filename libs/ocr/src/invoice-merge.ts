/**
 * OCR values into proof metadata, and the invoice normalisation every proof goes through
 * (KOBATELA-SPEC §4.4 steps 3–4, §4.6).
 *
 * Merge: OCR fills a field only when the client gave none; it never overwrites a client value.
 * A client value counts under any name the normaliser or the document checks read for that field
 * (`total` and `total_amount` for the total, `currency` for the currency, `invoice_iban_last4`,
 * `invoice_supplier_name`): the reference only looked at `invoice_total_amount`, so a client's
 * `total` lost to OCR's value, which then came first in normalisation. `ocr_status` and
 * `ocr_provider` are set only when absent (as the reference does). Nothing else is copied: no
 * `ocr_raw` (the OCR result is its own event) and never any text or full IBAN.
 *
 * Normalisation never throws. Total: the first truthy of `invoice_total_amount`, `total`,
 * `total_amount` (truthy as in Python: not null, "", 0, false, an empty list or object), read as a
 * decimal string or JSON number, rounded **half-up** to the currency's scale (configured
 * `CURRENCIES`, else ISO 4217's, else 2). Currency: the first truthy of `invoice_currency`,
 * `currency`, as a trimmed string, 3 letters, upper-cased.
 */
import { type CurrencyScales, RoundingMode } from '@kob/kernel';
import { currencyScale } from './currency-units';
import { parseDecimalInput } from './decimal-input';
import type { InvoiceFields } from './invoice-parser';
import type { OcrResult } from './ocr-result';

type Metadata = Record<string, unknown>;

/** Metadata field ← OCR field, and the other names under which the client may give it. */
const OCR_TO_METADATA: readonly { key: string; from: keyof InvoiceFields; aliases: string[] }[] = [
  { key: 'invoice_total_amount', from: 'total_amount', aliases: ['total', 'total_amount'] },
  { key: 'invoice_currency', from: 'currency', aliases: ['currency'] },
  { key: 'invoice_number', from: 'invoice_number', aliases: [] },
  { key: 'invoice_date', from: 'invoice_date', aliases: [] },
  { key: 'iban_last4', from: 'iban_last4', aliases: ['invoice_iban_last4'] },
  { key: 'supplier_name', from: 'supplier_name', aliases: ['invoice_supplier_name'] },
];

export function isPlainObject(value: unknown): value is Metadata {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function has(metadata: Metadata, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(metadata, key);
}

function present(metadata: Metadata, key: string): boolean {
  return has(metadata, key) && metadata[key] !== null && metadata[key] !== undefined;
}

export function mergeOcrIntoMetadata(
  clientMetadata: unknown,
  ocr: OcrResult,
): { metadata: Metadata; filled: string[] } {
  const metadata: Metadata = isPlainObject(clientMetadata) ? { ...clientMetadata } : {};
  const filled: string[] = [];
  if (!has(metadata, 'ocr_status')) metadata.ocr_status = ocr.status;
  if (!has(metadata, 'ocr_provider')) metadata.ocr_provider = ocr.engine;
  for (const { key, from, aliases } of OCR_TO_METADATA) {
    const value = ocr.fields[from];
    if (value === null || [key, ...aliases].some((k) => present(metadata, k))) continue;
    metadata[key] = value;
    filled.push(key);
  }
  return { metadata, filled };
}

/** Python truthiness, which the reference's `a or b or c` relies on. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function firstTruthy(metadata: Metadata, keys: string[]): unknown {
  for (const key of keys) if (has(metadata, key) && truthy(metadata[key])) return metadata[key];
  return undefined;
}

export interface NormalizedInvoice {
  /** Decimal string at the currency's scale, rounded half-up; null when absent or invalid. */
  total: string | null;
  currency: string | null;
  errors: ('invalid_invoice_total_amount' | 'invalid_invoice_currency')[];
}

export function normalizeInvoice(
  metadata: unknown,
  currencyScales?: CurrencyScales,
): NormalizedInvoice {
  const errors: NormalizedInvoice['errors'] = [];
  const source = isPlainObject(metadata) ? metadata : {};
  let currency: string | null = null;
  const rawCurrency = firstTruthy(source, ['invoice_currency', 'currency']);
  if (rawCurrency !== undefined) {
    // Python's str(value).strip(): a number or object never reads as 3 letters.
    const raw = typeof rawCurrency === 'string' ? rawCurrency : (JSON.stringify(rawCurrency) ?? '');
    const text = raw.trim();
    if (/^[A-Za-z]{3}$/.test(text)) currency = text.toUpperCase();
    else if (text.length > 0) errors.push('invalid_invoice_currency');
  }
  let total: string | null = null;
  const rawTotal = firstTruthy(source, ['invoice_total_amount', 'total', 'total_amount']);
  if (rawTotal !== undefined) {
    const parsed = parseDecimalInput(rawTotal);
    const scale = currencyScale(currency, currencyScales);
    if (parsed) total = parsed.value.round(scale, RoundingMode.HalfUp).toFixed(scale);
    else errors.push('invalid_invoice_total_amount');
  }
  return { total, currency, errors };
}
