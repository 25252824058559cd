/**
 * Properties of the response masking of proof metadata (KOBATELA-SPEC §4.9; issue 12), over
 * arbitrary input:
 * - each rule, on any text or number (astral characters, lone surrogates, 100 KB, bigints),
 *   shows no more than it allows: names hidden whole, an email's domain only, a phone number's
 *   last 2 digits, an IBAN's or account number's last 4 letters and digits;
 * - on any JSON metadata (any shape, `__proto__` and `constructor` keys, deep nesting, huge
 *   arrays) the output is well-formed Unicode when the input is, survives a JSON round trip and
 *   masks every scalar under a sensitive key, however deep;
 * - on any value at all it never throws.
 */
import fc from 'fast-check';
import {
  HOSTILE_KEYS,
  illFormedStrings,
  jsonObject,
  jsonRoundTrip,
  propertyParams,
  text,
  unstorableText,
  EVERY_KIND_OF_VALUE,
} from '@test/hostile-values';
import { maskProofMetadata } from './proof-mask';

type Family = 'hidden' | 'email' | 'phone' | 'lastFour';

/** Sensitive keys, each spelled as clients send it (matching ignores case). */
const SENSITIVE: readonly (readonly [string, Family])[] = [
  ['beneficiary_name', 'hidden'],
  ['Supplier_Name', 'hidden'],
  ['account_holder', 'hidden'],
  ['supplier_address', 'hidden'],
  ['email', 'email'],
  ['contact_email', 'email'],
  ['PHONE', 'email'],
  ['mobile', 'email'],
  ['home_phone', 'phone'],
  ['mobile_number', 'phone'],
  ['iban', 'lastFour'],
  ['IBAN_last4', 'lastFour'],
  ['supplier_iban', 'lastFour'],
  ['bank_account_number', 'lastFour'],
  ['iban_full_masked', 'lastFour'],
];

/** What the rule of `family` may show of `value` (written from the spec, not the code). */
function allowed(family: Family, value: string, out: unknown): boolean {
  if (typeof out !== 'string') return false;
  switch (family) {
    case 'hidden':
      return out === '***masked***';
    case 'email': {
      const at = value.lastIndexOf('@');
      return at === -1 || at === value.length - 1
        ? out === '***@***'
        : out === `***@${value.slice(at + 1)}`;
    }
    case 'phone': {
      const digits = value.replace(/[^0-9]/g, '');
      return out === `***${digits.slice(Math.max(0, digits.length - 2))}`;
    }
    case 'lastFour': {
      const alnum = value.replace(/[^A-Za-z0-9]/g, '');
      const shown = alnum.slice(Math.max(0, alnum.length - 4));
      return alnum.length <= 4
        ? out === `***${alnum}`
        : out === `${'*'.repeat(alnum.length - 4)}${shown}`;
    }
  }
}

const anyText = fc.oneof(
  text({ lengthMax: 100_000 }),
  unstorableText({ lengthMax: 64 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
    maxLength: 24,
  }),
);

/** Every string and number anywhere under `value`, with its masked counterpart in `out`. */
function scalarPairs(
  value: unknown,
  out: unknown,
  pairs: [string, unknown][] = [],
): [string, unknown][] {
  // Below the depth limit a whole subtree is `***`: nothing in it shows.
  if (out === '***' && value !== null && typeof value === 'object') return pairs;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint')
    pairs.push([String(value), out]);
  else if (Array.isArray(value))
    value.forEach((v, i) => scalarPairs(v, (out as unknown[] | undefined)?.[i], pairs));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value))
      scalarPairs(v, (out as Record<string, unknown> | undefined)?.[k], pairs);
  }
  return pairs;
}

describe('proof metadata mask properties', () => {
  it('shows no more of any text or number under a sensitive key than its rule allows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SENSITIVE),
        fc.oneof(anyText, fc.double(), fc.bigInt()),
        ([key, family], value) => {
          const out = (maskProofMetadata({ [key]: value }) as Record<string, unknown>)[key];
          expect(allowed(family, String(value), out)).toBe(true);
          if (typeof value === 'string' && illFormedStrings(value).length === 0)
            expect(illFormedStrings(out)).toEqual([]);
        },
      ),
      propertyParams(500),
    );
  });

  it('masks every scalar under a sensitive key however deep, keeps JSON well-formed and round-trippable', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SENSITIVE),
        jsonObject({ depthMax: 40, arrayLengthMax: 3_000 }),
        ([key, family], inner) => {
          const metadata = { note: inner, list: [{ [key]: inner }] };
          const out = maskProofMetadata(metadata) as { list: Record<string, unknown>[] };
          expect(illFormedStrings(out)).toEqual([]);
          const { text: json, again } = jsonRoundTrip(out);
          expect(again).toBe(json);
          const leaks = scalarPairs(inner, out.list[0]![key]).filter(
            ([v, o]) => !allowed(family, v, o) && o !== '***',
          );
          expect(leaks).toEqual([]);
        },
      ),
      propertyParams(100),
    );
  });

  it('never throws, whatever the value', () => {
    const cycle: Record<string, unknown> = { iban: 'FR7630006000011234567890189' };
    cycle.self = cycle;
    expect(() => maskProofMetadata(cycle)).not.toThrow();
    fc.assert(
      fc.property(
        fc.anything({
          key: fc.oneof(
            fc.constantFrom(...SENSITIVE.map(([k]) => k), ...HOSTILE_KEYS),
            fc.string({ unit: 'binary' }),
          ),
          values: [anyText, fc.bigInt(), fc.double(), fc.constant(undefined)],
          ...EVERY_KIND_OF_VALUE,
          maxDepth: 5,
        }),
        (value) => {
          maskProofMetadata(value);
        },
      ),
      propertyParams(150),
    );
  });
});
