/**
 * `canonicalJsonOf` writes in one pass what the JSON round trip and `canonicalJson` write: on
 * any value fast-check makes (dates, boxed values, sparse and typed arrays, maps and sets,
 * null-prototype objects, undefined and non-finite members, strings with lone surrogates), the
 * same text, or both throw.
 */
import fc from 'fast-check';
import { EVERY_KIND_OF_VALUE, propertyParams } from '@test/hostile-values';
import { canonicalJson, canonicalJsonOf } from './jcs';

function roundTrip(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return text === undefined ? undefined : canonicalJson(JSON.parse(text));
}

function outcome(f: () => string | undefined): { text?: string; threw?: string } {
  try {
    return { text: f() };
  } catch (err) {
    return { threw: (err as Error).constructor.name };
  }
}

const values = fc.anything({ ...EVERY_KIND_OF_VALUE, withUnicodeString: true, maxDepth: 4 });

it('canonicalJsonOf answers as the round trip and canonicalJson do', () => {
  fc.assert(
    fc.property(values, (v) => {
      expect(outcome(() => canonicalJsonOf(v))).toEqual(outcome(() => roundTrip(v)));
    }),
    propertyParams(5_000),
  );
});

it('canonicalJsonOf orders any number of member names as the built-in sort does', () => {
  // Up to 24 names are sorted by insertion, more by Array.prototype.sort: both sides of that line.
  const names = fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 60 });
  fc.assert(
    fc.property(names, (keys) => {
      const value = Object.fromEntries(keys.map((k, i) => [k, i]));
      expect(canonicalJsonOf(value)).toBe(canonicalJson(value));
      const sorted = [...keys].sort();
      expect(Object.keys(JSON.parse(canonicalJsonOf(value)!) as object).sort()).toEqual(sorted);
    }),
    propertyParams(2_000),
  );
});

it('canonicalJsonOf on the shapes events carry', () => {
  const at = new Date('2026-12-06T10:00:00.000Z');
  const custom = { toJSON: (key: string) => `key:${key}` };
  expect(
    canonicalJsonOf({ z: [undefined, () => 1, Number.NaN, -0, 1e21], a: at, m: { custom } }),
  ).toBe(
    '{"a":"2026-12-06T10:00:00.000Z","m":{"custom":"key:custom"},"z":[null,null,null,0,1e+21]}',
  );
  const fn = Object.assign(() => 1, { toJSON: () => 'fn' });
  expect(canonicalJsonOf({ fn, plain: () => 1 })).toBe(roundTrip({ fn, plain: () => 1 }));
  expect(canonicalJsonOf({ fn })).toBe('{"fn":"fn"}');
  expect(canonicalJsonOf(undefined)).toBeUndefined();
  expect(canonicalJsonOf({ f: () => 1, s: Symbol('s'), u: undefined })).toBe('{}');
  expect(canonicalJsonOf('\uD800x')).toBe('"\\ud800x"');
  expect(() => canonicalJsonOf({ n: 1n })).toThrow(TypeError);
});
