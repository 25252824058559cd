/**
 * The currencies invoice reading knows by name (ISO 4217 codes) and their minor units, used where
 * the service's own `CURRENCIES` configuration does not list a currency an invoice is written in.
 *
 * The list is deliberately not the whole of ISO 4217: OCR text is full of upper-case three-letter
 * words (`TVA`, `TTC`, `ALL`, `TOP`, `PEN`, `CUP`…), and a code that is also a common word would turn
 * them into currencies. It covers the world's main currencies and those of francophone Africa.
 */
import type { CurrencyScales } from '@kob/kernel';

/** Minor units per ISO 4217 (2 unless listed here). */
const MINOR_UNITS_NOT_2: Readonly<Record<string, number>> = {
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  PYG: 0,
  UGX: 0,
  RWF: 0,
  BIF: 0,
  GNF: 0,
  KMF: 0,
  DJF: 0,
  XOF: 0,
  XAF: 0,
  XPF: 0,
  VUV: 0,
  KWD: 3,
  BHD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  LYD: 3,
  IQD: 3,
};

const KNOWN = [
  'EUR',
  'USD',
  'GBP',
  'CHF',
  'JPY',
  'CNY',
  'CAD',
  'AUD',
  'NZD',
  'HKD',
  'SGD',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'RON',
  'BGN',
  'ISK',
  'RUB',
  'UAH',
  'TRY',
  'ILS',
  'INR',
  'KRW',
  'VND',
  'THB',
  'IDR',
  'MYR',
  'PHP',
  'BRL',
  'MXN',
  'CLP',
  'COP',
  'ARS',
  'PYG',
  'ZAR',
  'NGN',
  'GHS',
  'KES',
  'UGX',
  'TZS',
  'ETB',
  'RWF',
  'BIF',
  'CDF',
  'GNF',
  'KMF',
  'DJF',
  'MGA',
  'MRU',
  'CVE',
  'MAD',
  'DZD',
  'TND',
  'LYD',
  'EGP',
  'XOF',
  'XAF',
  'XPF',
  'VUV',
  'AED',
  'SAR',
  'QAR',
  'KWD',
  'BHD',
  'OMR',
  'JOD',
  'IQD',
  'LBP',
  'HTG',
] as const;

export const knownCurrencyCodes: ReadonlySet<string> = new Set(KNOWN);

/** Scale used for a currency: the configured one, else ISO 4217's, else 2. */
export function currencyScale(currency: string | null, configured?: CurrencyScales): number {
  if (currency === null) return 2;
  return configured?.get(currency) ?? MINOR_UNITS_NOT_2[currency] ?? 2;
}
