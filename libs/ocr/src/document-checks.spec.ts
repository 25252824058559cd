/**
 * Document backend checks (§4.8): amounts as decimal strings that survive JSON (B3), the absolute
 * amount tolerance, IBAN last 4, date range in days, supplier names; junk in, nulls out.
 */
import { documentChecks } from './document-checks';

const exact = { amountTolerance: '0.00' };

describe('documentChecks', () => {
  it('compares amounts as decimal strings and survives JSON unchanged (B3)', () => {
    const checks = documentChecks(
      { expected_amount: '100.00', expected_currency: 'eur' },
      { invoice_total_amount: '130.50', invoice_currency: 'EUR' },
      exact,
    );
    expect(checks.amount_check).toEqual({
      expected_amount: '100.00',
      invoice_amount: '130.50',
      absolute_diff: '30.50',
      relative_diff: '0.305000',
      amount_tolerance: '0.00',
      currency_expected: 'EUR',
      currency_actual: 'EUR',
      currency_match: true,
      amount_match: false,
    });
    expect(JSON.parse(JSON.stringify(checks))).toEqual(checks);
    expect(
      documentChecks({ expected_amount: 100 }, { invoice_amount: '100.00' }, exact).amount_check,
    ).toMatchObject({ absolute_diff: '0.00', relative_diff: '0.000000', amount_match: true });
  });

  it('matches amounts within the absolute tolerance, inclusive, either way', () => {
    const check = (invoice: string, tolerance: string) =>
      documentChecks(
        { expected_amount: '100.00' },
        { invoice_total_amount: invoice },
        { amountTolerance: tolerance },
      ).amount_check;
    expect(check('100.01', '0.01')).toMatchObject({
      amount_match: true,
      absolute_diff: '0.01',
      amount_tolerance: '0.01',
    });
    expect(check('99.99', '0.01')).toMatchObject({ amount_match: true, absolute_diff: '-0.01' });
    expect(check('100.02', '0.01').amount_match).toBe(false);
    expect(check('100.01', '0').amount_match).toBe(false);
    expect(check('105', '5').amount_match).toBe(true);
  });

  it('rounds the relative difference half-up to 6 decimals, and leaves it null for an expected 0', () => {
    expect(
      documentChecks({ expected_amount: '3' }, { invoice_total_amount: '4' }, exact).amount_check
        .relative_diff,
    ).toBe('0.333333');
    expect(
      documentChecks({ expected_amount: '3' }, { invoice_total_amount: '5' }, exact).amount_check
        .relative_diff,
    ).toBe('0.666667');
    expect(
      documentChecks({ expected_amount: '3' }, { invoice_total_amount: '1' }, exact).amount_check
        .relative_diff,
    ).toBe('-0.666667');
    expect(
      documentChecks({ expected_amount: '0' }, { invoice_total_amount: '1' }, exact).amount_check,
    ).toMatchObject({ absolute_diff: '1', relative_diff: null });
  });

  it('leaves what cannot be computed null', () => {
    const checks = documentChecks(
      { expected_amount: 'lots', expected_currency: 42 },
      { invoice_total_amount: '10', currency: 'usd' },
      exact,
    );
    expect(checks.amount_check).toMatchObject({
      expected_amount: null,
      invoice_amount: '10',
      absolute_diff: null,
      relative_diff: null,
      amount_match: null,
      currency_expected: null,
      currency_actual: 'USD',
      currency_match: null,
    });
    expect(
      documentChecks({ expected_currency: 'USD' }, { invoice_currency: 'EUR' }, exact).amount_check
        .currency_match,
    ).toBe(false);
  });

  it('compares IBAN last 4 from a full expected IBAN or its last 4', () => {
    expect(
      documentChecks(
        { expected_iban: 'FR76 3000 6000 0112 3456 7890 189' },
        { iban_last4: '0189' },
        exact,
      ).iban_check,
    ).toEqual({ expected_iban_last4: '0189', invoice_iban_last4: '0189', match: true });
    expect(
      documentChecks({ expected_iban_last4: '1234' }, { invoice_iban_last4: '0189' }, exact)
        .iban_check.match,
    ).toBe(false);
    expect(
      documentChecks({ expected_iban: 'FR7' }, { iban_last4: '0189' }, exact).iban_check,
    ).toEqual({ expected_iban_last4: null, invoice_iban_last4: '0189', match: null });
    expect(
      JSON.stringify(documentChecks({ expected_iban: 'FR7630006000011234567890189' }, {}, exact)),
    ).not.toContain('FR76');
  });

  it('places the invoice date against the bounds, inclusive, in days', () => {
    const req = { expected_date_min: '2026-11-01', expected_date_max: '2026-11-30' };
    expect(documentChecks(req, { invoice_date: '2026-11-27' }, exact).date_check).toEqual({
      ...req,
      invoice_date: '2026-11-27',
      in_range: true,
      days_from_min: 26,
      days_from_max: -3,
    });
    expect(documentChecks(req, { invoice_date: '2026-11-30' }, exact).date_check.in_range).toBe(
      true,
    );
    expect(documentChecks(req, { invoice_date: '2026-12-01' }, exact).date_check).toMatchObject({
      in_range: false,
      days_from_max: 1,
    });
    expect(
      documentChecks({ expected_date_min: '2026-11-01' }, { invoice_date: '2026-10-31' }, exact)
        .date_check,
    ).toMatchObject({ in_range: false, days_from_min: -1, days_from_max: null });
    expect(
      documentChecks(
        { expected_date_max: '2026-03-29' },
        { invoice_date: '2026-03-30T10:00:00Z' },
        exact,
      ).date_check,
    ).toMatchObject({ in_range: false, days_from_max: 1 });
    expect(
      documentChecks({ expected_date_min: 'soon' }, { invoice_date: '2026-11-27' }, exact)
        .date_check.in_range,
    ).toBeNull();
    expect(
      documentChecks(req, { invoice_date: '27/11/2026' }, exact).date_check.in_range,
    ).toBeNull();
    expect(
      documentChecks(req, { invoice_date: '2026-02-30' }, exact).date_check.invoice_date,
    ).toBeNull();
  });

  it('compares supplier names trimmed and without case', () => {
    expect(
      documentChecks({ expected_store_name: ' ACME  SARL ' }, { supplier_name: 'acme sarl' }, exact)
        .supplier_check,
    ).toEqual({ expected_name: 'ACME  SARL', actual_name: 'acme sarl', exact_match: true });
    expect(
      documentChecks(
        { expected_beneficiary: 'Globex' },
        { invoice_supplier_name: 'Initech', supplier_name: 'Globex' },
        exact,
      ).supplier_check.exact_match,
    ).toBe(false);
    expect(documentChecks({}, { supplier_name: 'x' }, exact).supplier_check.exact_match).toBeNull();
  });

  it('never throws on junk requirements or metadata', () => {
    const junk: unknown[] = [
      null,
      undefined,
      'x',
      42,
      [],
      [1, 2],
      { expected_amount: {} },
      { expected_amount: [1] },
    ];
    for (const a of junk) {
      for (const b of junk) {
        const checks = documentChecks(a, b, exact);
        expect(checks.amount_check.amount_match).toBeNull();
      }
    }
    expect(documentChecks({}, {}, exact).has_metadata).toBe(false);
    expect(documentChecks({}, { a: 1 }, exact).has_metadata).toBe(true);
  });

  it('refuses a tolerance that is not a decimal string ≥ 0 (configuration error)', () => {
    expect(() => documentChecks({}, {}, { amountTolerance: '-0.01' })).toThrow(/tolerance/);
    expect(() => documentChecks({}, {}, { amountTolerance: '1%' })).toThrow(/tolerance/);
    expect(() => documentChecks({}, {}, { amountTolerance: 0.01 as unknown as string })).toThrow(
      /tolerance/,
    );
  });
});
