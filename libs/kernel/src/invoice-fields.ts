/**
 * The fields read from an invoice, as OCR returns them and as the AI advisor is told them (the
 * wire's snake_case names): one shape, so what the advisor may see is exactly what is read.
 */

/** Invoice fields as read from a document (amounts as decimal strings, dates `YYYY-MM-DD`). */
export interface InvoiceFields {
  /** Decimal string at the currency's scale (2 when unknown), rounded half-up when it had more. */
  total_amount: string | null;
  /** ISO 4217, upper case. */
  currency: string | null;
  /** `YYYY-MM-DD`. */
  invoice_date: string | null;
  invoice_number: string | null;
  iban_last4: string | null;
  supplier_name: string | null;
}
