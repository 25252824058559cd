/**
 * Cutting text without breaking characters. JavaScript strings are UTF-16: a character outside
 * the Basic Multilingual Plane (`🙂`, `𝔘`) is two code units, a surrogate pair, and `slice` by
 * code units can keep one half of it. A lone half is not Unicode: PostgreSQL's `jsonb` refuses
 * it (`\udc42` is an unsupported escape) and its `text` silently turns it into U+FFFD. So any
 * cut of text a client or the PSP wrote goes through these functions:
 * - `lastCodePoints` / `codePointCount` for rules that speak of characters ("the last 4"), which
 *   count code points: a bounded number of them is a bounded number of bytes, which grapheme
 *   clusters (a base letter with any number of combining marks) are not;
 * - `truncateUtf16` for limits on stored length, which the deciders check in code units
 *   (`value.length`): it keeps at most that many units and never ends on half a pair.
 * None of them repairs a lone surrogate already in the input: the HTTP edge refuses those, and
 * text from outside parties goes through `storableText` (jcs.ts).
 */

const isHighSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** The last `count` code points of `value` (all of it when it has fewer). */
export function lastCodePoints(value: string, count: number): string {
  let start = value.length;
  // One step per code point taken: at most `count` steps, each one or two units back.
  for (let taken = 0; taken < count && start > 0; taken++) {
    start -= 1;
    if (
      start > 0 &&
      isLowSurrogate(value.charCodeAt(start)) &&
      isHighSurrogate(value.charCodeAt(start - 1))
    ) {
      start -= 1;
    }
  }
  return value.slice(start);
}

/** How many code points `value` holds (a lone surrogate counts as one). */
export function codePointCount(value: string): number {
  let pairs = 0;
  for (let i = 0; i + 1 < value.length; i++) {
    if (isHighSurrogate(value.charCodeAt(i)) && isLowSurrogate(value.charCodeAt(i + 1))) {
      pairs += 1;
      i += 1;
    }
  }
  return value.length - pairs;
}

/**
 * At most `lengthMax` UTF-16 code units of `value`, from its start: one fewer when the cut would
 * fall inside a surrogate pair, so the result never ends on half a character.
 */
export function truncateUtf16(value: string, lengthMax: number): string {
  if (value.length <= lengthMax) return value;
  if (lengthMax <= 0) return '';
  const splitsPair =
    isHighSurrogate(value.charCodeAt(lengthMax - 1)) && isLowSurrogate(value.charCodeAt(lengthMax));
  return value.slice(0, splitsPair ? lengthMax - 1 : lengthMax);
}
