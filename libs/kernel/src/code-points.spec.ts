/**
 * Cutting text by code points (code-points.ts): whole astral characters are kept or dropped, never
 * halved, and lengths count them once; `truncateUtf16` keeps a bound in code units without
 * ending on half a pair.
 */
import { codePointCount, lastCodePoints, truncateUtf16 } from './code-points';

const isWellFormed = (s: string) => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

describe('lastCodePoints', () => {
  it('keeps the last N characters whole', () => {
    expect(lastCodePoints('ab🙂cde', 4)).toBe('🙂cde');
    expect(lastCodePoints('ß𝔘🙂Ǆ', 4)).toBe('ß𝔘🙂Ǆ');
    expect(lastCodePoints('ß𝔘🙂Ǆ', 3)).toBe('𝔘🙂Ǆ');
    expect(lastCodePoints('ß𝔘🙂Ǆ', 2)).toBe('🙂Ǆ');
    expect(lastCodePoints('🙂', 4)).toBe('🙂');
    expect(lastCodePoints('', 4)).toBe('');
    expect(lastCodePoints('abc', 0)).toBe('');
  });

  it('counts a lone surrogate as one character and leaves it as it is', () => {
    expect(lastCodePoints('a\uDE42b', 2)).toBe('\uDE42b');
    expect(lastCodePoints('\uD83Dx', 1)).toBe('x');
  });

  it('gives well-formed text for well-formed input', () => {
    for (let n = 0; n < 8; n++) expect(isWellFormed(lastCodePoints('x🙂y𝔘🙂🙂z', n))).toBe(true);
  });
});

describe('codePointCount', () => {
  it('counts a surrogate pair once and a lone half once', () => {
    expect(codePointCount('ß𝔘🙂Ǆ')).toBe(4);
    expect(codePointCount('ab🙂cde')).toBe(6);
    expect(codePointCount('')).toBe(0);
    expect(codePointCount('\uD800\uD800\uDC00')).toBe(2);
    expect(codePointCount('\uDC00\uD800')).toBe(2);
  });
});

describe('truncateUtf16', () => {
  it('keeps at most N code units, one fewer rather than half a pair', () => {
    expect(truncateUtf16('ab🙂cde', 3)).toBe('ab');
    expect(truncateUtf16('ab🙂cde', 4)).toBe('ab🙂');
    expect(truncateUtf16('ab🙂cde', 100)).toBe('ab🙂cde');
    expect(truncateUtf16('🙂', 1)).toBe('');
    expect(truncateUtf16('abc', 0)).toBe('');
  });
});
