/**
 * Invoice text → fields, on English and French samples: totals in every number format, currencies
 * from codes and symbols (and when a symbol is ambiguous), dates and their day/month order,
 * invoice numbers, IBAN last 4 (never the full number), suppliers; and junk that reads as nothing.
 */
import { parseCurrencies } from '@kob/kernel';
import { ibanChecksumValid, findIbanLast4 } from './iban';
import { parseAmountText } from './invoice-amounts';
import { emptyInvoiceFields, parseInvoiceText } from './invoice-parser';

const total = (text: string) => {
  const f = parseInvoiceText(text);
  return [f.total_amount, f.currency];
};

describe('parseInvoiceText: totals and currencies', () => {
  it.each([
    ['Total: 1,234.50 EUR', '1234.50', 'EUR'],
    ['TOTAL TTC 1 234,50 €', '1234.50', 'EUR'],
    ['Amount due $99.00', '99.00', 'USD'],
    ['Montant total : 321,00 EUR', '321.00', 'EUR'],
    ['Total TTC : 1 234,50 EUR', '1234.50', 'EUR'],
    ['Net à payer : 2.500,00 €', '2500.00', 'EUR'],
    ['Total 1\u202f234,50\u00a0€', '1234.50', 'EUR'],
    ["Total CHF 1'234.50", '1234.50', 'CHF'],
    ['Grand Total: £45.5', '45.50', 'GBP'],
    ['Total: 1,234,567.891 USD', '1234567.89', 'USD'],
    ['Total due: 12.345 KWD', '12.345', 'KWD'],
    ['Total: ¥1,200 JPY', '1200', 'JPY'],
    ['Total : 150 000 FCFA\nDevise XOF', '150000', 'XOF'],
    ['Balance due US$ 10', '10.00', 'USD'],
    ['Total: 0,500 EUR', '0.50', 'EUR'],
    ['Total: 1.234.56 EUR', '1234.56', 'EUR'],
  ])('%j → %s %s', (text, amount, currency) => {
    expect(total(text)).toEqual([amount, currency]);
  });

  it('prefers the total with tax over sub-totals, tax lines and totals before tax', () => {
    const text = [
      'Sous-total : 1 000,00 €',
      'TVA 20 % : 200,00 €',
      'Total HT : 1 000,00 €',
      'Total TTC : 1 200,00 €',
      'Conditions : 30 jours',
    ].join('\n');
    expect(total(text)).toEqual(['1200.00', 'EUR']);
    expect(total('Subtotal 80.00\nTax 8.00\nTotal 88.00\nThank you, USD only')).toEqual([
      '88.00',
      'USD',
    ]);
    expect(total('Total HT 1 000,00 EUR')).toEqual(['1000.00', 'EUR']);
    expect(total('Subtotal 80.00 USD\nTax 8.00 USD')).toEqual([null, 'USD']);
    expect(total('Total TTC 1 234,50 €\nAcompte versé 234,50 €\nReste à payer 1 000,00 €')).toEqual(
      ['1234.50', 'EUR'],
    );
    expect(total('Total $1,234.50\nPaid $234.50\nAmount due $1,000.00')).toEqual([
      '1000.00',
      'USD',
    ]);
  });

  it('reads the amount on the next line when the label stands alone', () => {
    expect(total('Total TTC\n1 234,50 €\nMerci')).toEqual(['1234.50', 'EUR']);
    expect(total('Amount due:\n$ 99.00')).toEqual(['99.00', 'USD']);
  });

  it('skips quantities, dates and percentages after the label', () => {
    expect(total('Total (3 items) 1,234.50 USD')).toEqual(['1234.50', 'USD']);
    expect(total('Total due by 27/11/2026: $99.00')).toEqual(['99.00', 'USD']);
    expect(total('Total TVA 20 % incluse 1 234,50 €')).toEqual([null, 'EUR']);
  });

  it('reads a one-line text layer (a PDF page whose items are joined by spaces)', () => {
    const page =
      'ACME Corp Invoice No. INV-2026-001 Date 2026-11-27 Subtotal 1,000.00 Tax 234.50 Total: 1,234.50 USD Payment terms 30 days';
    expect(parseInvoiceText(page)).toMatchObject({
      total_amount: '1234.50',
      currency: 'USD',
      invoice_number: 'INV-2026-001',
      invoice_date: '2026-11-27',
      supplier_name: 'ACME Corp',
    });
  });

  it('reads $ as USD only when the document names no other dollar', () => {
    expect(total('Total $99.00')).toEqual(['99.00', 'USD']);
    expect(total('Total $99.00\nAll prices in CAD')).toEqual(['99.00', 'CAD']);
    expect(total('Total C$ 99.00')).toEqual(['99.00', 'CAD']);
    expect(total('Total A$99.00')).toEqual(['99.00', 'AUD']);
    expect(total('Total $99.00\nAlso payable in AUD or NZD')).toEqual(['99.00', null]);
    expect(total('Total ¥1,200')).toEqual(['1200.00', null]);
    expect(total('Total: 150 000 FCFA')).toEqual(['150000.00', null]);
  });

  it('takes the currency from the line, then from the one currency the document names', () => {
    expect(total('Total (EUR) : 1 234,50')).toEqual(['1234.50', 'EUR']);
    expect(total('Devise : EUR\nTotal : 1 234,50')).toEqual(['1234.50', 'EUR']);
    expect(total('Prices in EUR or USD\nTotal : 1 234,50')).toEqual(['1234.50', null]);
    expect(total('TVA TTC SARL\nTotal : 10,00')).toEqual(['10.00', null]);
  });

  it('writes totals at the configured scale, rounding half-up', () => {
    const scales = parseCurrencies('USD:2,EUR:2,JPY:0,KWD:3');
    // 1,005 alone is one thousand and five; rounding happens when the decimals are unambiguous.
    expect(parseInvoiceText('Total 1.234,565 USD', { currencyScales: scales }).total_amount).toBe(
      '1234.57',
    );
    expect(parseInvoiceText('Total 1.234,564 USD', { currencyScales: scales }).total_amount).toBe(
      '1234.56',
    );
    expect(parseInvoiceText('Total 1,005 USD', { currencyScales: scales }).total_amount).toBe(
      '1005.00',
    );
    expect(parseInvoiceText('Total 1500.5 JPY', { currencyScales: scales }).total_amount).toBe(
      '1501',
    );
    expect(parseInvoiceText('Total 12.5 KWD').total_amount).toBe('12.500');
    expect(parseInvoiceText('Total 12.5 XOF').total_amount).toBe('13');
  });
});

describe('parseAmountText', () => {
  it.each([
    ['1,234.50', 2, '1234.5'],
    ['1.234,50', 2, '1234.5'],
    ['1 234,50', 2, '1234.5'],
    ['1,234', 2, '1234'],
    ['1,234', 3, '1.234'],
    ['1234,567', 2, '1234.567'],
    ['-12.00', 2, '-12'],
    ['99', 2, '99'],
  ])('%s at scale %d → %s', (text, scale, expected) => {
    expect(parseAmountText(text, scale)?.toString()).toBe(expected);
  });

  it('refuses malformed and enormous numbers', () => {
    expect(parseAmountText('1,234,56.7,8', 2)).toBeNull();
    expect(parseAmountText('1234567890123456', 2)).toBeNull();
  });
});

describe('parseInvoiceText: dates', () => {
  it.each([
    ['Date : 27/11/2026', '2026-11-27'],
    ['Invoice date: 2026-11-27', '2026-11-27'],
    ['Date: Nov 27, 2026', '2026-11-27'],
    ['Date: November 27th, 2026', '2026-11-27'],
    ['Issued on 27 Nov 2026', '2026-11-27'],
    ['Date de facture : 27 novembre 2026', '2026-11-27'],
    ['Facture du 1er décembre 2026', '2026-12-01'],
    ['Date : 27.11.2026', '2026-11-27'],
    ['Date: 11/27/2026', '2026-11-27'],
    ['Date : 27/11/26', '2026-11-27'],
    ["Date d'émission : 3 févr. 2026", '2026-02-03'],
  ])('%j → %s', (text, iso) => {
    expect(parseInvoiceText(text).invoice_date).toBe(iso);
  });

  it('reads 03/04/2026 day first in a French invoice and not at all in an English one', () => {
    expect(
      parseInvoiceText('Facture n° 12\nDate de facture : 03/04/2026\nMontant TTC : 10,00 €')
        .invoice_date,
    ).toBe('2026-04-03');
    expect(
      parseInvoiceText('Invoice No. 12\nInvoice date: 03/04/2026\nAmount due: $10.00').invoice_date,
    ).toBeNull();
    expect(parseInvoiceText('Invoice date: 04/04/2026').invoice_date).toBe('2026-04-04');
  });

  it('never takes a due, delivery or period date for the invoice date', () => {
    expect(parseInvoiceText('Due date: 2026-12-27\nInvoice date: 2026-11-27').invoice_date).toBe(
      '2026-11-27',
    );
    expect(parseInvoiceText("Date d'échéance : 27/12/2026\nDate : 27/11/2026").invoice_date).toBe(
      '2026-11-27',
    );
    expect(parseInvoiceText('Due date: 2026-12-27').invoice_date).toBeNull();
    expect(parseInvoiceText('Période du 01/11/2026 au 30/11/2026').invoice_date).toBeNull();
    expect(parseInvoiceText('Printed 2026-11-02\nDate: 2026-11-27').invoice_date).toBe(
      '2026-11-27',
    );
    expect(parseInvoiceText('2026-11-02').invoice_date).toBe('2026-11-02');
  });

  it('refuses dates that do not exist', () => {
    expect(parseInvoiceText('Date: 31/04/2026').invoice_date).toBeNull();
    expect(parseInvoiceText('Date: 2026-02-29').invoice_date).toBeNull();
    expect(parseInvoiceText('Date: 2028-02-29').invoice_date).toBe('2028-02-29');
    expect(parseInvoiceText('Date: 45/13/2026').invoice_date).toBeNull();
  });
});

describe('parseInvoiceText: invoice numbers', () => {
  it.each([
    ['Invoice No. INV-2026-001', 'INV-2026-001'],
    ['Facture n° F-123', 'F-123'],
    ['FACTURE N°F-2026-042', 'F-2026-042'],
    ['Invoice #10234', '10234'],
    ['Invoice number: 2026/0042', '2026/0042'],
    ['N° de facture : FA-77', 'FA-77'],
    ['Numéro de facture : 2026-001.', '2026-001'],
    ['FACTURE PROFORMA N° 12', '12'],
    ['Reference INV-9981 attached', 'INV-9981'],
    ['Invoice: 55', '55'],
  ])('%j → %s', (text, number) => {
    expect(parseInvoiceText(text).invoice_number).toBe(number);
  });

  it('does not take a date or a word for the number', () => {
    expect(parseInvoiceText('Invoice Date: 2026-11-27').invoice_number).toBeNull();
    expect(parseInvoiceText('Facture du 27/11/2026').invoice_number).toBeNull();
    expect(parseInvoiceText('Adresse de facturation : 12 rue X').invoice_number).toBeNull();
  });
});

describe('parseInvoiceText: IBAN', () => {
  it('keeps the last 4 of a valid IBAN, spaced or not, and never more', () => {
    const fields = parseInvoiceText('IBAN FR76 3000 6000 0112 3456 7890 189 BIC AGRIFRPP');
    expect(fields.iban_last4).toBe('0189');
    expect(JSON.stringify(fields)).not.toMatch(/3000|FR76/);
    expect(findIbanLast4('iban: de89370400440532013000')).toBe('3000');
    expect(findIbanLast4('GB82 WEST 1234 5698 7654 32')).toBe('5432');
    expect(findIbanLast4('Ref AB12 then IBAN: BE68 5390 0754 7034')).toBe('7034');
  });

  it('refuses numbers whose check digits or length are wrong', () => {
    expect(findIbanLast4('IBAN FR76 3000 6000 0112 3456 7890 188')).toBeNull();
    expect(findIbanLast4('IBAN FR76 3000 6000 0112 3456 7890')).toBeNull();
    expect(findIbanLast4('ZZ12 3456 7890 1234 5678')).toBeNull();
    expect(ibanChecksumValid('FR7630006000011234567890189')).toBe(true);
    expect(ibanChecksumValid('FR7630006000011234567890198')).toBe(false);
  });

  it('prefers the IBAN after an IBAN label', () => {
    expect(
      findIbanLast4('DE89 3704 0044 0532 0130 00\nIBAN : FR76 3000 6000 0112 3456 7890 189'),
    ).toBe('0189');
  });
});

describe('parseInvoiceText: supplier', () => {
  it.each([
    ['Supplier: Globex Corporation\nInvoice #1', 'Globex Corporation'],
    ['Fournisseur : Dupont & Fils SARL', 'Dupont & Fils SARL'],
    ['From: Initech LLC, 1 Main St', 'Initech LLC, 1 Main St'],
    ['Émetteur :\nBoulangerie Martin\nFacture n° 3', 'Boulangerie Martin'],
    ['ACME SARL\nFacture n° F-2026-042', 'ACME SARL'],
    ['FACTURE\nACME SARL\n12 rue de la Paix', 'ACME SARL'],
    ['Client : Jean Dupont\nACME SARL', 'ACME SARL'],
    ['ACME Corp Invoice No. 7', 'ACME Corp'],
    ['Fournisseur : ACME SAS TVA FR123', 'ACME SAS'],
  ])('%j → %s', (text, supplier) => {
    expect(parseInvoiceText(text).supplier_name).toBe(supplier);
  });

  it('caps the name length', () => {
    expect(parseInvoiceText(`Supplier: ${'A'.repeat(500)}`).supplier_name).toHaveLength(120);
  });
});

describe('parseInvoiceText: whole invoices and junk', () => {
  it('reads a French invoice', () => {
    const text = [
      'ACME SARL',
      '12 rue de la Paix, 75002 Paris',
      'Facture n° F-2026-042',
      'Date : 27/11/2026',
      "Date d'échéance : 27/12/2026",
      'Client : Kobatela SAS',
      'Désignation Qté Prix unitaire Total',
      'Prestation de conseil 2 500,00 1 000,00',
      'Total HT 1 000,00',
      'TVA 20 % 234,50',
      'Total TTC : 1 234,50 EUR',
      'IBAN FR76 3000 6000 0112 3456 7890 189',
    ].join('\n');
    expect(parseInvoiceText(text)).toEqual({
      total_amount: '1234.50',
      currency: 'EUR',
      invoice_date: '2026-11-27',
      invoice_number: 'F-2026-042',
      iban_last4: '0189',
      supplier_name: 'ACME SARL',
    });
  });

  it('reads an English invoice', () => {
    const text = [
      'INVOICE',
      'From: Globex Corporation',
      'Invoice No. INV-2026-001',
      'Invoice date: Nov 27, 2026',
      'Due date: Dec 27, 2026',
      'Bill to: Kobatela Inc.',
      'Consulting 10 h x $50.00 $500.00',
      'Subtotal $500.00',
      'Tax (10%) $50.00',
      'Amount due $550.00',
    ].join('\n');
    expect(parseInvoiceText(text)).toEqual({
      total_amount: '550.00',
      currency: 'USD',
      invoice_date: '2026-11-27',
      invoice_number: 'INV-2026-001',
      iban_last4: null,
      supplier_name: 'Globex Corporation',
    });
  });

  it('reads nothing from nothing, and never throws on junk', () => {
    expect(parseInvoiceText('')).toEqual(emptyInvoiceFields());
    expect(parseInvoiceText('   \n\t ')).toEqual(emptyInvoiceFields());
    expect(parseInvoiceText(undefined as unknown as string)).toEqual(emptyInvoiceFields());
    const junk = [
      '\u0000\uffff\ud800',
      '€€€ $$$ %%%',
      '9'.repeat(10_000),
      'Total '.repeat(5_000),
      '1/2/3/4/5/6',
    ];
    for (const text of junk) expect(() => parseInvoiceText(text)).not.toThrow();
    expect(parseInvoiceText('Total ' + '9'.repeat(40)).total_amount).toBeNull();
  });

  it('stays fast on a long text', () => {
    const line =
      'Item 12 x 3,50 € = 42,00 € Total 42,00 € 27/11/2026 FR76 3000 6000 0112 3456 7890 188\n';
    const started = Date.now();
    parseInvoiceText(line.repeat(3_000));
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
