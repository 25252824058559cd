/**
 * Reads invoice fields from the text of an English or French invoice (a PDF's text layer or OCR
 * output): total, currency, invoice date, invoice number, the IBAN's last 4, and the supplier.
 * A field it cannot read without guessing is null. It never returns the text itself nor a full
 * IBAN, and never throws.
 *
 * - total and currency: `invoice-amounts.ts` (labels, number formats, symbols, rounding);
 * - date: `invoice-dates.ts` (formats, day/month order, which date is the invoice's);
 * - IBAN: `iban.ts` (country length and check digits, last 4 only);
 * - invoice number: the token after `Invoice No.`, `Invoice #`, `Facture n°`, `N° de facture`,
 *   `Numéro de facture`…, which must contain a digit and not be a date; else an `INV-…`/`FAC-…`
 *   token anywhere;
 * - supplier: the value of a `Supplier:`, `Vendor:`, `From:`, `Fournisseur :`, `Émetteur :`,
 *   `Vendeur :`, `Prestataire :` line (or the next line when it is empty), else the first line
 *   that still has a name once cut at the first keyword (`Invoice`, `Facture`, `Date`, `Client`…),
 *   so a title line (`FACTURE`) or a buyer line (`Client : …`) is skipped.
 */
import { truncateUtf16 } from '@kob/kernel';
import { storableText } from '@kob/kernel';
import type { CurrencyScales, InvoiceFields } from '@kob/kernel';
import { findIbanLast4 } from './iban';
import { findTotalAndCurrency } from './invoice-amounts';
import { datesInLine, findInvoiceDate } from './invoice-dates';
import { type InvoiceText, prepareInvoiceText } from './invoice-text';

/** Invoice fields as OCR reads them (the kernel's shape, which the AI advisor is told). */
export type { InvoiceFields } from '@kob/kernel';

export const invoiceParserLimits = {
  invoiceNumberLengthMax: 40,
  supplierNameLengthMax: 120,
} as const;

export function emptyInvoiceFields(): InvoiceFields {
  return {
    total_amount: null,
    currency: null,
    invoice_date: null,
    invoice_number: null,
    iban_last4: null,
    supplier_name: null,
  };
}

const NUMBER_LABELS: readonly RegExp[] = [
  /\b(?:n\s*[°º*]|no\.?|nr\.?|num(?:ero|ber)\.?|#)\s*(?:de\s+)?(?:la\s+)?(?:facture|invoice)\s*[:#]?\s*/g,
  /\b(?:invoice|facture|inv|fact)\.?\s*(?:n\s*[°º*o]\.?|no\.?|nr\.?|num(?:ero|ber)?\.?|#|ref(?:erence)?\.?)?\s*[:#.]?\s*/g,
];
/** A number label anywhere on a line that names the invoice (`FACTURE PROFORMA N° 12`). */
const LOOSE_NUMBER_LABEL = /\b(?:n\s*[°º]|no\.|nr\.|#|number|numero)\s*[:#]?\s*/g;
const NUMBER_TOKEN_RE = /^[A-Za-z0-9][A-Za-z0-9\-/_.]*/;
const STANDALONE_NUMBER_RE = /\b(?:INV|FAC|FACT)[-_/]?\d[A-Za-z0-9\-/_]*/;

function numberToken(line: string, folded: string, at: number): string | null {
  const m = NUMBER_TOKEN_RE.exec(line.slice(at));
  if (!m) return null;
  const token = m[0].replace(/[.\-/_]+$/, '');
  if (!/\d/.test(token) || token.length > invoiceParserLimits.invoiceNumberLengthMax) return null;
  const asDate = datesInLine(folded.slice(at, at + token.length), 0, true)[0];
  return asDate && asDate.end - asDate.start === token.length ? null : token;
}

function findInvoiceNumber(doc: InvoiceText): string | null {
  for (const re of NUMBER_LABELS) {
    for (let i = 0; i < doc.lines.length; i++) {
      for (const m of doc.folded[i]!.matchAll(re)) {
        const token = numberToken(doc.lines[i]!, doc.folded[i]!, m.index + m[0].length);
        if (token) return token;
      }
    }
  }
  for (let i = 0; i < doc.lines.length; i++) {
    if (!/\b(?:invoice|facture)\b/.test(doc.folded[i]!)) continue;
    for (const m of doc.folded[i]!.matchAll(LOOSE_NUMBER_LABEL)) {
      const token = numberToken(doc.lines[i]!, doc.folded[i]!, m.index + m[0].length);
      if (token) return token;
    }
  }
  for (const line of doc.lines) {
    const m = STANDALONE_NUMBER_RE.exec(line);
    if (m && m[0].length <= invoiceParserLimits.invoiceNumberLengthMax) return m[0];
  }
  return null;
}

const SUPPLIER_LABEL =
  /\b(?:supplier|vendor|seller|from|issued\s*by|billed\s*by|fournisseur|vendeur|emetteur|prestataire|raison\s*sociale)\s*:\s*/;
/** Where a name stops: the next field of the line. */
const NAME_STOP =
  /\b(?:invoice|facture|date|total|montant|amount|iban|bic|swift|rib|tva|vat|siret|siren|rcs|tel|phone|e-?mail|adresse|address|page|client|customer|bill(?:ed)?\s*to|ship\s*to|destinataire|acheteur|buyer)\b|\bn\s*[°º]|\bno\.|#/;

function cleanName(line: string, folded: string): string | null {
  const stop = NAME_STOP.exec(folded);
  const cut = (stop ? line.slice(0, stop.index) : line).replace(
    /^[\s:;,.\-–|]+|[\s:;,.\-–|]+$/g,
    '',
  );
  if ((cut.match(/\p{L}/gu)?.length ?? 0) < 2) return null;
  return truncateUtf16(cut, invoiceParserLimits.supplierNameLengthMax).trim();
}

function findSupplier(doc: InvoiceText): string | null {
  for (let i = 0; i < doc.lines.length; i++) {
    const m = SUPPLIER_LABEL.exec(doc.folded[i]!);
    if (!m) continue;
    const at = m.index + m[0].length;
    const value = cleanName(doc.lines[i]!.slice(at), doc.folded[i]!.slice(at));
    if (value) return value;
    const next = doc.lines.findIndex((l, j) => j > i && l.length > 0);
    if (next >= 0 && doc.lines[next]!.length > 0)
      return cleanName(doc.lines[next]!, doc.folded[next]!);
  }
  for (let i = 0; i < doc.lines.length; i++) {
    const name = doc.lines[i]!.length > 0 ? cleanName(doc.lines[i]!, doc.folded[i]!) : null;
    if (name) return name;
  }
  return null;
}

export function parseInvoiceText(
  text: string,
  options: { currencyScales?: CurrencyScales } = {},
): InvoiceFields {
  if (typeof text !== 'string' || text.trim().length === 0) return emptyInvoiceFields();
  // Text read from a document may hold anything: what is kept must be storable (a cut may also
  // split a surrogate pair).
  const doc = prepareInvoiceText(storableText(text));
  const { total, currency } = findTotalAndCurrency(doc, options.currencyScales);
  const keep = (value: string | null) => (value === null ? null : storableText(value) || null);
  return {
    total_amount: total,
    currency,
    invoice_date: findInvoiceDate(doc),
    invoice_number: keep(findInvoiceNumber(doc)),
    iban_last4: findIbanLast4(doc.lines.join('\n')),
    supplier_name: keep(findSupplier(doc)),
  };
}
