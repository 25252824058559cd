/**
 * Text preparation shared by the invoice field finders: lines with collapsed spaces, and a
 * "folded" copy of each line (lower case, accents removed) of exactly the same length, so a label
 * found in the folded line (`echeance`, `numero`) gives the position of the value in the original.
 */
import { truncateUtf16 } from '@kob/kernel';

export const invoiceTextLimits = {
  /** Characters of text read (a 50-page PDF's text layer is cut here; invoices are far shorter). */
  textLengthMax: 200_000,
  /** Lines read. */
  linesMax: 5_000,
} as const;

export interface InvoiceText {
  lines: string[];
  folded: string[];
  /** French wording dominates: a numeric date like 03/04/2026 is then read day first. */
  french: boolean;
}

/** Lower case without diacritics, one output character per input code unit. */
export function fold(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c < '\u0080') {
      out += c.toLowerCase();
      continue;
    }
    const base = c.normalize('NFD')[0] ?? c;
    const lower = base.toLowerCase();
    out += lower.length === 1 ? lower : base;
  }
  return out;
}

const FRENCH_WORDS =
  /\b(facture|montant|ttc|tva|fournisseur|echeance|payer|numero|siret|siren|reglement|adresse|societe|prix|quantite|remise|hors|avoir|euros)\b/g;
const ENGLISH_WORDS =
  /\b(invoice|amount|due|subtotal|tax|supplier|vendor|payment|terms|bill|quantity|price|balance|from|issued)\b/g;

export function prepareInvoiceText(text: string): InvoiceText {
  const clipped = truncateUtf16(text, invoiceTextLimits.textLengthMax)
    .normalize('NFC')
    // No-break and thin spaces are the French thousands separators ("1 234,50").
    .replace(/[\u00a0\u202f\u2007\u2009]/g, ' ')
    .replace(/\r\n?/g, '\n');
  const lines = clipped
    .split('\n')
    .slice(0, invoiceTextLimits.linesMax)
    .map((l) => l.replace(/[\t\f\v ]+/g, ' ').trim());
  const folded = lines.map(fold);
  const all = folded.join('\n');
  const french = (all.match(FRENCH_WORDS)?.length ?? 0) > (all.match(ENGLISH_WORDS)?.length ?? 0);
  return { lines, folded, french };
}
