/**
 * Properties of the audit sanitiser (issue 12), over arbitrary input:
 * - every rule, on any text (astral characters, lone surrogates, 100 KB), shows no more than it
 *   allows: `***` + at most the last 4 (or 2) code points, the domain after the last `@`, a URL
 *   without its last segment, query and fragment, a PSP reference hidden whole when short;
 * - on any JSON value (any shape, `__proto__` and `constructor` keys, deep nesting, huge arrays)
 *   the output is well-formed Unicode when the input is, survives a JSON round trip, keeps every
 *   key and array item, masks every masked key wherever it sits (whole below the depth limit) and
 *   gives no object a prototype other than Object's;
 * - on any value at all (Maps, bigints, typed arrays, cycles, lone surrogates) it never throws.
 * The rules are checked against a statement of each rule written with `Array.from` (code points),
 * not against the implementation's helpers.
 */
import fc from 'fast-check';
import {
  HOSTILE_KEYS,
  illFormedStrings,
  jsonRoundTrip,
  jsonValue,
  nested,
  propertyParams,
  text,
  unstorableText,
  EVERY_KIND_OF_VALUE,
} from '@test/hostile-values';
import {
  AUDIT_MASK_DEPTH_MAX,
  MASK,
  MASKED_KEYS,
  SUPPLIER_NAME_MASK,
  maskAuditData,
} from './audit-mask';

const codePoints = (s: string) => Array.from(s);
const endsWith = (whole: string, tail: string) =>
  tail.length <= whole.length && whole.endsWith(tail);

/** `***` + a tail of `source` of exactly min(n, its length) code points. */
function isMaskedTail(out: string, source: string, n: number): boolean {
  if (!out.startsWith(MASK)) return false;
  const tail = out.slice(MASK.length);
  return (
    endsWith(source, tail) && codePoints(tail).length === Math.min(n, codePoints(source).length)
  );
}

type Family =
  'lastFour' | 'lastTwo' | 'email' | 'url' | 'pspReference' | 'pspRef' | 'supplier' | 'secret';

/** What each masked key may show: written out here, so a new masked key must be placed. */
const FAMILIES: Readonly<Record<string, Family>> = {
  iban: 'lastFour',
  iban_full: 'lastFour',
  ibanFull: 'lastFour',
  iban_full_masked: 'lastFour',
  ibanFullMasked: 'lastFour',
  account_number: 'lastFour',
  accountNumber: 'lastFour',
  card_number: 'lastFour',
  cardNumber: 'lastFour',
  iban_last4: 'lastTwo',
  ibanLast4: 'lastTwo',
  email: 'email',
  storage_url: 'url',
  storageUrl: 'url',
  proof_url: 'url',
  proofUrl: 'url',
  psp_reference: 'pspReference',
  pspReference: 'pspReference',
  psp_ref: 'pspRef',
  pspRef: 'pspRef',
  payment_reference: 'pspRef',
  paymentReference: 'pspRef',
  supplier_name: 'supplier',
  supplierName: 'supplier',
  key: 'secret',
  key_hash: 'secret',
  keyHash: 'secret',
  request_hash: 'secret',
  requestHash: 'secret',
};
// A Map: `FAMILIES['__proto__']` would be Object.prototype, not "no family".
const FAMILY: ReadonlyMap<string, Family> = new Map(Object.entries(FAMILIES));

/** Whether `out` is what the rule of `family` may show of `value`. */
function allowed(family: Family, value: string, out: string): boolean {
  switch (family) {
    case 'lastFour':
      return isMaskedTail(out, value.replace(/\s+/g, ''), 4);
    case 'lastTwo':
      return isMaskedTail(out, value, 2);
    case 'email': {
      const domain = value.slice(value.lastIndexOf('@') + 1);
      return value.includes('@') && domain !== '' ? out === `${MASK}@${domain}` : out === MASK;
    }
    case 'url': {
      if (!out.endsWith(`/${MASK}`)) return false;
      const kept = out.slice(0, -(MASK.length + 1));
      const base = value.split(/[?#]/, 1)[0]!;
      return kept === MASK
        ? !base.includes('/')
        : base.startsWith(kept) &&
            base.slice(kept.length).startsWith('/') &&
            !base.slice(kept.length + 1).includes('/');
    }
    case 'pspReference':
      return codePoints(value).length <= 6 ? out === MASK : isMaskedTail(out, value, 4);
    case 'pspRef':
      return codePoints(value).length <= 4 ? out === MASK : isMaskedTail(out, value, 4);
    case 'supplier':
      return out === SUPPLIER_NAME_MASK;
    case 'secret':
      return out === MASK;
  }
}

/** Any text at all: storable, with NUL or lone surrogates, or raw code units. */
const anyText = fc.oneof(
  text({ lengthMax: 100_000 }),
  unstorableText({ lengthMax: 64 }),
  fc.string({
    unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
    maxLength: 24,
  }),
);

/**
 * Walks input and output together and lists what breaks the rules: a key or item lost, a masked
 * key showing more than its rule allows (null stays null, other non-text is `***`), anything
 * below the depth limit not `***`, a prototype other than Object's or Array's.
 */
function maskProblems(input: unknown, output: unknown, depth: number, path = '$'): string[] {
  const text = (family: Family, value: string, out: unknown) =>
    typeof out === 'string' && allowed(family, value, out)
      ? []
      : [`${path}: ${JSON.stringify(out)}`];
  if (input === null || typeof input !== 'object') {
    if (output === input) return [];
    // A string masked by its shape (an IBAN, an email) whatever its key.
    if (typeof input === 'string' && typeof output === 'string') {
      return allowed('lastFour', input, output) || allowed('email', input, output)
        ? []
        : [`${path}: ${output}`];
    }
    return [`${path}: changed`];
  }
  if (depth >= AUDIT_MASK_DEPTH_MAX)
    return output === MASK ? [] : [`${path}: not hidden below the depth limit`];
  if (Object.getPrototypeOf(output) !== (Array.isArray(input) ? Array.prototype : Object.prototype))
    return [`${path}: prototype`];
  if (Array.isArray(input)) {
    const out = output as unknown[];
    if (out.length !== input.length) return [`${path}: length`];
    return input.flatMap((item, i) => maskProblems(item, out[i], depth + 1, `${path}[${i}]`));
  }
  const out = output as Record<string, unknown>;
  if (Object.keys(out).join('\n') !== Object.keys(input).join('\n')) return [`${path}: keys`];
  return Object.entries(input).flatMap(([key, value]) => {
    const family = FAMILY.get(key);
    const at = `${path}.${key}`;
    if (family === undefined) return maskProblems(value, out[key], depth + 1, at);
    if (value === null) return out[key] === null ? [] : [`${at}: null not kept`];
    if (typeof value === 'string' || typeof value === 'number')
      return text(family, String(value), out[key]);
    return out[key] === MASK ? [] : [`${at}: not hidden whole`];
  });
}

describe('audit mask properties', () => {
  it('places every masked key in a rule family (a new key must say what it may show)', () => {
    expect([...MASKED_KEYS].sort()).toEqual([...FAMILY.keys()].sort());
  });

  it('shows no more of any text than each rule allows, counted in code points', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MASKED_KEYS), anyText, (key, value) => {
        const out = (maskAuditData({ [key]: value }) as Record<string, unknown>)[key];
        expect(typeof out).toBe('string');
        expect(allowed(FAMILY.get(key)!, value, out as string)).toBe(true);
        if (illFormedStrings(value).length === 0) expect(illFormedStrings(out)).toEqual([]);
      }),
      propertyParams(500),
    );
  });

  it('keeps any JSON well-formed, round-trippable, prototype-safe and masked wherever a key sits', () => {
    fc.assert(
      fc.property(jsonValue({ depthMax: 90, arrayLengthMax: 5_000 }), (input) => {
        const output = maskAuditData(input);
        expect(illFormedStrings(output)).toEqual([]);
        const { text: json, again } = jsonRoundTrip(output);
        expect(again).toBe(json);
        expect(maskProblems(input, output, 0)).toEqual([]);
      }),
      propertyParams(100),
    );
  });

  it('masks a masked key at any depth below the limit, and hides everything beyond it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: AUDIT_MASK_DEPTH_MAX + 10 }),
        fc.constantFrom(...HOSTILE_KEYS),
        (depth, key) => {
          const input = nested(depth, { card_number: 'ab🙂cde', [key]: 'ß𝔘🙂Ǆ' }, key);
          const output = maskAuditData(input);
          expect(maskProblems(input, output, 0)).toEqual([]);
          expect(JSON.stringify(output)).not.toContain('ab🙂');
        },
      ),
      propertyParams(100),
    );
  });

  it('never throws, whatever the value (Maps, bigints, typed arrays, cycles, lone surrogates)', () => {
    const cycle: Record<string, unknown> = { email: 'a@b.c' };
    cycle.self = cycle;
    expect(() => maskAuditData(cycle)).not.toThrow();
    fc.assert(
      fc.property(
        fc.anything({
          key: fc.oneof(
            fc.constantFrom(...MASKED_KEYS, ...HOSTILE_KEYS),
            fc.string({ unit: 'binary' }),
          ),
          values: [anyText, fc.bigInt(), fc.double(), fc.constant(undefined)],
          ...EVERY_KIND_OF_VALUE,
          maxDepth: 5,
        }),
        (value) => {
          maskAuditData(value);
        },
      ),
      propertyParams(150),
    );
  });
});
