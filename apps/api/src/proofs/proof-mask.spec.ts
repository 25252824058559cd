/** The response masking of proof metadata (KOBATELA-SPEC §4.9). */
import { maskProofMetadata } from './proof-mask';

describe('maskProofMetadata', () => {
  it('masks names, emails, phones and IBANs by key, recursively and case-insensitively', () => {
    expect(
      maskProofMetadata({
        Supplier_Name: 'ACME SARL',
        contact: { email: 'ana@example.org', Contact_Email: 'nobody', mobile_number: '+243 81 234 5678' },
        iban: 'FR76 3000 6000 0112 3456 7890 189',
        iban_last4: '0189',
        iban_check: { match: true },
        account_number: '12',
        phones: ['+243 81 000 0011', '+243 81 000 0022'],
        amount: '10.00',
        verified: true,
        note: null,
      }),
    ).toEqual({
      Supplier_Name: '***masked***',
      contact: { email: '***@example.org', Contact_Email: '***@***', mobile_number: '***78' },
      iban: `${'*'.repeat(23)}0189`,
      iban_last4: '***0189',
      iban_check: { match: true },
      account_number: '***12',
      phones: ['***11', '***22'],
      amount: '10.00',
      verified: true,
      note: null,
    });
  });
});
