/**
 * OCR into metadata never overwrites a client value (under any of the field's names), and the
 * invoice normalisation of §4.6: first truthy value, half-up to the currency's scale, decimal
 * strings only, the two error codes, never a throw.
 */
import { parseCurrencies } from '@kob/kernel';
import { mergeOcrIntoMetadata, normalizeInvoice } from './invoice-merge';
import type { OcrResult } from './ocr-result';

const ocr: OcrResult = {
  status: 'ok',
  engine: 'tesseract',
  fields: {
    total_amount: '1234.50',
    currency: 'EUR',
    invoice_date: '2026-11-27',
    invoice_number: 'F-2026-042',
    iban_last4: '0189',
    supplier_name: 'ACME SARL',
  },
  text_length: 180,
  reason: null,
};

describe('mergeOcrIntoMetadata', () => {
  it('fills what the client left out and says which fields it filled', () => {
    expect(mergeOcrIntoMetadata({ note: 'x' }, ocr)).toEqual({
      metadata: {
        note: 'x',
        ocr_status: 'ok',
        ocr_provider: 'tesseract',
        invoice_total_amount: '1234.50',
        invoice_currency: 'EUR',
        invoice_number: 'F-2026-042',
        invoice_date: '2026-11-27',
        iban_last4: '0189',
        supplier_name: 'ACME SARL',
      },
      filled: [
        'invoice_total_amount',
        'invoice_currency',
        'invoice_number',
        'invoice_date',
        'iban_last4',
        'supplier_name',
      ],
    });
  });

  it('never overwrites a client value, whatever name the client used for it', () => {
    const client = {
      invoice_total_amount: '1000.00',
      currency: 'usd',
      invoice_number: '',
      invoice_iban_last4: '1111',
      supplier_name: 'Client Co',
      ocr_status: 'claimed',
    };
    const { metadata, filled } = mergeOcrIntoMetadata(client, ocr);
    expect(metadata).toMatchObject({
      ...client,
      ocr_provider: 'tesseract',
      invoice_date: '2026-11-27',
    });
    expect(metadata).not.toHaveProperty('invoice_currency');
    expect(metadata).not.toHaveProperty('iban_last4');
    expect(filled).toEqual(['invoice_date']);
    expect(mergeOcrIntoMetadata({ total: '5' }, ocr).metadata).not.toHaveProperty(
      'invoice_total_amount',
    );
  });

  it('fills a client null, adds nothing for an OCR null, and copies instead of changing the input', () => {
    const client = { invoice_total_amount: null };
    const { metadata } = mergeOcrIntoMetadata(client, {
      ...ocr,
      fields: { ...ocr.fields, currency: null },
    });
    expect(metadata.invoice_total_amount).toBe('1234.50');
    expect(metadata).not.toHaveProperty('invoice_currency');
    expect(client).toEqual({ invoice_total_amount: null });
  });

  it('treats missing or junk metadata as empty', () => {
    const disabled: OcrResult = {
      ...ocr,
      status: 'disabled',
      engine: null,
      fields: {
        ...ocr.fields,
        total_amount: null,
        currency: null,
        invoice_date: null,
        invoice_number: null,
        iban_last4: null,
        supplier_name: null,
      },
    };
    for (const junk of [null, undefined, 'text', 42, ['a']]) {
      expect(mergeOcrIntoMetadata(junk, disabled)).toEqual({
        metadata: { ocr_status: 'disabled', ocr_provider: null },
        filled: [],
      });
    }
  });
});

describe('normalizeInvoice', () => {
  const scales = parseCurrencies('USD:2,EUR:2,JPY:0,KWD:3');

  it('takes the first truthy total and currency, rounds half-up at the scale, upper-cases', () => {
    expect(
      normalizeInvoice({ invoice_total_amount: '321', invoice_currency: 'eur' }, scales),
    ).toEqual({ total: '321.00', currency: 'EUR', errors: [] });
    expect(
      normalizeInvoice(
        { invoice_total_amount: '', total: 0, total_amount: '10.005', currency: ' usd ' },
        scales,
      ),
    ).toEqual({ total: '10.01', currency: 'USD', errors: [] });
    expect(normalizeInvoice({ total: '1500.5', currency: 'JPY' }, scales)).toEqual({
      total: '1501',
      currency: 'JPY',
      errors: [],
    });
    expect(normalizeInvoice({ total: '1.2345', currency: 'KWD' }, scales).total).toBe('1.235');
    expect(normalizeInvoice({ total: '1.2345', currency: 'BHD' }, scales).total).toBe('1.235');
    expect(normalizeInvoice({ total: '2.675' }, scales).total).toBe('2.68');
    expect(normalizeInvoice({ total: 0.1 + 0.2 }, scales).total).toBe('0.30');
  });

  it('answers nulls for absent fields, and never a float', () => {
    expect(normalizeInvoice({}, scales)).toEqual({ total: null, currency: null, errors: [] });
    expect(normalizeInvoice({ invoice_total_amount: null, invoice_currency: '' }, scales)).toEqual({
      total: null,
      currency: null,
      errors: [],
    });
    expect(typeof normalizeInvoice({ total: 12.5 }, scales).total).toBe('string');
  });

  it.each([
    [{ total: 'abc' }, ['invalid_invoice_total_amount']],
    [{ total: '1,234.50' }, ['invalid_invoice_total_amount']],
    [{ total: '1e3' }, ['invalid_invoice_total_amount']],
    [{ total: true }, ['invalid_invoice_total_amount']],
    [{ total: { a: 1 } }, ['invalid_invoice_total_amount']],
    [{ total: '9'.repeat(16) }, ['invalid_invoice_total_amount']],
    [{ total: Number.POSITIVE_INFINITY }, ['invalid_invoice_total_amount']],
    [{ currency: 'EURO' }, ['invalid_invoice_currency']],
    [{ currency: '€' }, ['invalid_invoice_currency']],
    [{ currency: 123 }, ['invalid_invoice_currency']],
    [
      { invoice_currency: 'E1R', total: 'x' },
      ['invalid_invoice_currency', 'invalid_invoice_total_amount'],
    ],
  ])('%j → %j', (metadata, errors) => {
    expect(normalizeInvoice(metadata, scales).errors).toEqual(errors);
  });

  it('skips falsy values as Python does, and never throws on junk', () => {
    expect(
      normalizeInvoice({ invoice_total_amount: [], total: {}, total_amount: '7' }, scales).total,
    ).toBe('7.00');
    for (const junk of [null, undefined, 'x', 7, [], Object.create(null)]) {
      expect(normalizeInvoice(junk, scales)).toEqual({ total: null, currency: null, errors: [] });
    }
  });
});
