/**
 * Text rules for identity fields. Uniqueness is decided on a normal form (Unicode NFKC, then
 * lower case), so `ＡＬＩＣＥ`, `Alice` and `alice` are one username, and a decomposed `é` equals
 * the composed one. Characters that render as nothing or reorder text (controls, format
 * characters such as zero-width spaces and bidi overrides, other default-ignorables) are refused
 * outright: they make two different names look the same.
 */
const INVISIBLE =
  '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\u034F\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180F\\u3164\\uFE00-\\uFE0F\\uFFA0';

/** No invisible characters and no spaces at all (usernames, emails). */
export const COMPACT_TEXT = new RegExp(`^[^${INVISIBLE}\\p{Zs}]+$`, 'u');
/** No invisible characters; ordinary spaces allowed (display names such as key names). */
export const VISIBLE_TEXT = new RegExp(`^[^${INVISIBLE}]+$`, 'u');

export function uniquenessKey(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}
