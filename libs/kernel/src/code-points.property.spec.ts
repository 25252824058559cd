/**
 * Properties of cutting text (code-points.ts) over any string of UTF-16 code units, lone
 * surrogates included, against statements written with `Array.from` (which iterates code
 * points): `lastCodePoints` is the last N code points, `codePointCount` their number, and
 * `truncateUtf16` the longest prefix within the bound that does not end on half a pair; none
 * turns well-formed text into ill-formed text.
 */
import fc from 'fast-check';
import { illFormedStrings, propertyParams, text } from '@test/hostile-values';
import { codePointCount, lastCodePoints, truncateUtf16 } from './code-points';

const anyUnits = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
  maxLength: 40,
});
const anyText = fc.oneof(anyUnits, text({ lengthMax: 200 }));
const wellFormed = (s: string) => illFormedStrings(s).length === 0;

describe('code point properties', () => {
  it('lastCodePoints is the last N code points', () => {
    fc.assert(
      fc.property(anyText, fc.nat({ max: 12 }), (s, n) => {
        const out = lastCodePoints(s, n);
        expect(out).toBe(n === 0 ? '' : Array.from(s).slice(-n).join(''));
        if (wellFormed(s)) expect(wellFormed(out)).toBe(true);
      }),
      propertyParams(1_000),
    );
  });

  it('codePointCount counts code points', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(codePointCount(s)).toBe(Array.from(s).length);
      }),
      propertyParams(1_000),
    );
  });

  it('truncateUtf16 keeps the longest prefix within the bound that does not split a pair', () => {
    fc.assert(
      fc.property(anyText, fc.nat({ max: 60 }), (s, max) => {
        const out = truncateUtf16(s, max);
        expect(s.startsWith(out)).toBe(true);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out.length).toBeGreaterThanOrEqual(Math.min(s.length, max) - 1);
        // One unit short only when the cut fell between the halves of a pair.
        if (out.length < Math.min(s.length, max))
          expect(/^[\uD800-\uDBFF][\uDC00-\uDFFF]$/.test(s.slice(max - 1, max + 1))).toBe(true);
        if (wellFormed(s)) expect(wellFormed(out)).toBe(true);
      }),
      propertyParams(1_000),
    );
  });
});
