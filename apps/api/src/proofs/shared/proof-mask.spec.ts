/** The response masking of proof metadata (KOBATELA-SPEC §4.9). */
import { maskProofMetadata } from './proof-mask';

describe('maskProofMetadata', () => {
  it('masks names, emails, phones and IBANs by key, recursively and case-insensitively', () => {
    expect(
      maskProofMetadata({
        Supplier_Name: 'ACME SARL',
        contact: {
          email: 'ana@example.org',
          Contact_Email: 'nobody',
          mobile_number: '+243 81 234 5678',
        },
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

  it('masks what is shaped like an IBAN or an email under any key, and whole objects under masked keys', () => {
    expect(
      maskProofMetadata({
        rib: 'FR7630006000011234567890189',
        bank_details: { holder_mail: 'x@y.org', number: 'GB82 WEST 1234 5698 7654 32' },
        iban: { value: 'DE89370400440532013000', country: 'DE' },
        note: 'paid on time',
      }),
    ).toEqual({
      rib: `${'*'.repeat(23)}0189`,
      bank_details: { holder_mail: '***@y.org', number: `${'*'.repeat(18)}5432` },
      iban: { value: `${'*'.repeat(18)}3000`, country: '***DE' },
      note: 'paid on time',
    });
  });
});
