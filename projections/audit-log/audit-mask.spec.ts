/**
 * The audit sanitiser, rule by rule (KOBATELA-SPEC.md §4.14 and issue 3's additions): each masked
 * key in both spellings, the edge cases each rule names (short values, no `@`, no `/`), recursion
 * through objects and arrays, exact key matching, and that the input is never modified.
 */
import {
  AUDIT_MASK_DEPTH_MAX,
  MASK,
  MASKED_KEYS,
  SUPPLIER_NAME_MASK,
  maskAuditData,
} from './audit-mask';

/** Masks `{ [key]: value }` and returns what the key holds afterwards. */
const masked = (key: string, value: unknown): unknown =>
  (maskAuditData({ [key]: value }) as Record<string, unknown>)[key];

describe('audit mask', () => {
  describe.each([
    ['iban', 'iban'],
    ['iban_full', 'ibanFull'],
    ['iban_full_masked', 'ibanFullMasked'],
    ['account_number', 'accountNumber'],
    ['card_number', 'cardNumber'],
  ])('%s: spaces removed, *** + last 4', (snake, camel) => {
    it.each([snake, camel])('%s', (key) => {
      expect(masked(key, 'FR76 3000 6000 0112 3456 7890 189')).toBe('***0189');
      expect(masked(key, '4111111111111111')).toBe('***1111');
      expect(masked(key, '12 34 5')).toBe('***2345');
      // Four characters or fewer: *** + the whole (space-free) value, as the old service did.
      expect(masked(key, '1 234')).toBe('***1234');
      expect(masked(key, 'AB')).toBe('***AB');
      expect(masked(key, '')).toBe('***');
      expect(masked(key, 4111111111111111)).toBe('***1111');
    });
  });

  it.each(['iban_last4', 'ibanLast4'])('%s: *** + last 2', (key) => {
    expect(masked(key, '0189')).toBe('***89');
    expect(masked(key, '9')).toBe('***9');
  });

  it.each(['email'])('%s: ***@domain, or *** without a domain', (key) => {
    expect(masked(key, 'alice@example.com')).toBe('***@example.com');
    expect(masked(key, 'odd@name@mail.example.org')).toBe('***@mail.example.org');
    expect(masked(key, 'no-at-sign')).toBe('***');
    expect(masked(key, 'trailing@')).toBe('***');
  });

  it.each(['storage_url', 'storageUrl', 'proof_url', 'proofUrl'])(
    '%s: no query string, last segment replaced by ***',
    (key) => {
      expect(masked(key, 'https://files.example.com/proofs/42/photo.jpg?X-Sig=abc&exp=1')).toBe(
        'https://files.example.com/proofs/42/***',
      );
      expect(masked(key, 'https://files.example.com/proofs/photo.jpg')).toBe(
        'https://files.example.com/proofs/***',
      );
      // A slash inside the query string does not count: the query is dropped first.
      expect(masked(key, 'https://h/a/b.pdf?next=/x/y')).toBe('https://h/a/***');
      expect(masked(key, 's3://bucket/key#token=1/2')).toBe('s3://bucket/***');
      expect(masked(key, 'photo.jpg?sig=1')).toBe('***/***');
      expect(masked(key, 'photo.jpg')).toBe('***/***');
    },
  );

  it.each(['psp_reference', 'pspReference'])(
    '%s: *** up to 6 characters, else *** + last 4',
    (key) => {
      expect(masked(key, 'pi_3Nq8XyZ12345')).toBe('***2345');
      expect(masked(key, '1234567')).toBe('***4567');
      expect(masked(key, '123456')).toBe('***');
      expect(masked(key, 'ab')).toBe('***');
    },
  );

  it.each(['psp_ref', 'pspRef'])('%s: *** + last 4, hidden whole when 4 or fewer', (key) => {
    expect(masked(key, 'SIM-000123')).toBe('***0123');
    expect(masked(key, '12345')).toBe('***2345');
    expect(masked(key, '1234')).toBe('***');
    expect(masked(key, 'x')).toBe('***');
  });

  describe('counts characters as code points, never halves of a surrogate pair (issue 12)', () => {
    const isWellFormed = (v: unknown) => (v as { isWellFormed(): boolean }).isWellFormed();

    it('keeps whole astral characters in the last 4 and the last 2', () => {
      // The strings of issue 12: by UTF-16 code units their last 4 began with a lone surrogate.
      expect(masked('card_number', 'ab🙂cde')).toBe('***🙂cde');
      expect(masked('cardNumber', '🙂🙂🙂🙂🙂')).toBe('***🙂🙂🙂🙂');
      expect(masked('iban', 'FR76 🙂 𝔘x')).toBe('***6🙂𝔘x');
      expect(masked('iban_last4', 'x🙂')).toBe('***x🙂');
      expect(masked('iban_last4', 'ab🙂')).toBe('***b🙂');
    });

    it('counts the length of PSP references in code points', () => {
      // ß𝔘🙂Ǆ is 6 UTF-16 units but 4 characters: hidden whole.
      expect(masked('psp_ref', 'ß𝔘🙂Ǆ')).toBe('***');
      expect(masked('pspRef', 'aß𝔘🙂Ǆ')).toBe('***ß𝔘🙂Ǆ');
      expect(masked('payment_reference', 'ab🙂cde')).toBe('***🙂cde');
      expect(masked('psp_reference', '🙂🙂🙂🙂🙂🙂')).toBe('***');
      expect(masked('pspReference', 'x🙂🙂🙂🙂🙂🙂')).toBe('***🙂🙂🙂🙂');
    });

    it('cuts emails and URLs only at ASCII separators, so astral characters stay whole', () => {
      expect(masked('email', '🙂@𝔘.example')).toBe('***@𝔘.example');
      expect(masked('storage_url', 'https://h/🙂/𝔘.jpg?sig=🙂')).toBe('https://h/🙂/***');
    });

    it('gives well-formed text for every rule, so jsonb takes it', () => {
      const out = maskAuditData(Object.fromEntries(MASKED_KEYS.map((k) => [k, 'ab🙂cde ß𝔘🙂Ǆ'])));
      for (const value of Object.values(out as Record<string, unknown>))
        expect(isWellFormed(value)).toBe(true);
    });
  });

  it.each(['supplier_name', 'supplierName'])('%s: ***masked***', (key) => {
    expect(SUPPLIER_NAME_MASK).toBe('***masked***');
    expect(masked(key, 'ACME Building Supplies Ltd')).toBe('***masked***');
    expect(masked(key, '')).toBe('***masked***');
  });

  it.each(['key', 'key_hash', 'keyHash'])('%s: a secret, never shown even in part', (key) => {
    expect(masked(key, 'koba_a1b2c3.abcdefghijklmnopqrstuvwxyz0123456789')).toBe(MASK);
    expect(masked(key, 'f'.repeat(64))).toBe(MASK);
  });

  it('lists every masked key in both spellings', () => {
    expect([...MASKED_KEYS].sort()).toEqual(
      [
        'iban',
        'iban_full',
        'ibanFull',
        'iban_full_masked',
        'ibanFullMasked',
        'account_number',
        'accountNumber',
        'card_number',
        'cardNumber',
        'iban_last4',
        'ibanLast4',
        'email',
        'storage_url',
        'storageUrl',
        'proof_url',
        'proofUrl',
        'psp_reference',
        'pspReference',
        'psp_ref',
        'pspRef',
        'payment_reference',
        'paymentReference',
        'supplier_name',
        'supplierName',
        'key',
        'key_hash',
        'keyHash',
        'request_hash',
        'requestHash',
      ].sort(),
    );
  });

  it('recurses through objects and arrays and leaves other keys alone', () => {
    const data = {
      userId: 'u-1',
      amount: '100.00',
      payees: [
        { iban: 'DE89 3704 0044 0532 0130 00', label: 'rent', count: 2, ok: true },
        { nested: { email: 'bob@bank.example', list: [{ card_number: '5555444433331111' }] } },
        'plain string',
        7,
        null,
      ],
      proof: { storageUrl: 'https://cdn/p/1.png?sig=s', meta: { psp_ref: 'REF-998877' } },
    };
    expect(maskAuditData(data)).toEqual({
      userId: 'u-1',
      amount: '100.00',
      payees: [
        { iban: '***3000', label: 'rent', count: 2, ok: true },
        { nested: { email: '***@bank.example', list: [{ card_number: '***1111' }] } },
        'plain string',
        7,
        null,
      ],
      proof: { storageUrl: 'https://cdn/p/***', meta: { psp_ref: '***8877' } },
    });
  });

  it('matches keys exactly: other cases and look-alike names are not masked by their key', () => {
    const data = {
      Email: 'not an address',
      EMAIL: 'nobody',
      emails: ['none'],
      iban_country: 'FR',
      keys: 'k',
    };
    expect(maskAuditData(data)).toEqual(data);
  });

  it('masks strings shaped like an email address or a valid IBAN whatever their key', () => {
    expect(
      maskAuditData({
        contact: { mail: 'ana@example.org' },
        rib: 'FR76 3000 6000 0112 3456 7890 189',
        ref: 'FR76 3000 6000 0112 3456 7890 188',
      }),
    ).toEqual({
      contact: { mail: '***@example.org' },
      rib: '***0189',
      // A look-alike whose checksum fails is not an IBAN.
      ref: 'FR76 3000 6000 0112 3456 7890 188',
    });
  });

  it('keeps null, hides non-string values of masked keys whole', () => {
    expect(maskAuditData({ email: null, iban: { country: 'FR', number: 'FR7630006000' } })).toEqual(
      {
        email: null,
        iban: MASK,
      },
    );
    expect(maskAuditData({ card_number: ['4111111111111111'], key: false })).toEqual({
      card_number: MASK,
      key: MASK,
    });
  });

  it('passes scalars and top-level arrays through the same walk', () => {
    expect(maskAuditData('alice@example.com')).toBe('***@example.com');
    expect(maskAuditData('plain text')).toBe('plain text');
    expect(maskAuditData(42)).toBe(42);
    expect(maskAuditData(null)).toBeNull();
    expect(maskAuditData([{ email: 'x@y.z' }])).toEqual([{ email: '***@y.z' }]);
  });

  it('keeps a __proto__ key as data, masked like any other nested object', () => {
    const data = JSON.parse('{"__proto__":{"email":"p@q.r"}}') as unknown;
    const out = maskAuditData(data) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"email":"***@q.r"}}');
  });

  it('replaces data nested deeper than the limit whole instead of showing it', () => {
    let deep: unknown = { email: 'deep@example.com' };
    for (let i = 0; i < AUDIT_MASK_DEPTH_MAX + 5; i++) deep = { next: deep };
    expect(JSON.stringify(maskAuditData(deep))).not.toContain('deep@');
    expect(JSON.stringify(maskAuditData(deep))).toContain('"***"');
  });

  it('never modifies its input', () => {
    const data = { email: 'alice@example.com', list: [{ iban: 'FR7630006000011234567890189' }] };
    const copy = structuredClone(data);
    maskAuditData(data);
    expect(data).toEqual(copy);
  });

  it('hides request hashes, which a guessed body could reverse', () => {
    expect(
      maskAuditData({ target: 'user-1', requestHash: 'ab'.repeat(32), owner: 'user:1' }),
    ).toEqual({
      target: 'user-1',
      requestHash: '***',
      owner: 'user:1',
    });
  });

  it('masks IBANs, emails and account numbers under the names clients give them', () => {
    expect(
      maskAuditData({
        metadata: {
          beneficiary_iban: 'GB82WEST12345698765432',
          contactEmail: 'ana@example.org',
          supplier_email: 'x@y.org',
          bank_account_number: '123456789',
          iban_check: { match: true },
          iban_last4_hint: '5432',
        },
      }),
    ).toEqual({
      metadata: {
        beneficiary_iban: '***5432',
        contactEmail: '***@example.org',
        supplier_email: '***@y.org',
        bank_account_number: '***6789',
        iban_check: { match: true },
        iban_last4_hint: '5432',
      },
    });
  });
});
