import { assert } from './assert';

/**
 * RFC 8785 (JCS) canonical JSON. Object keys are sorted by UTF-16 code units, no whitespace,
 * numbers and strings serialised as ECMAScript's JSON.stringify does (which is what JCS
 * specifies for finite numbers). Used by the hash chain: JSONB reorders keys, so both the writer
 * and the verifier canonicalise before hashing.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      assert(Number.isFinite(value), 'JCS cannot encode a non-finite number');
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`JCS cannot encode a ${typeof value}`);
  }
}

/**
 * Text as PostgreSQL's JSONB can store it: NUL and the other C0 controls (but tab and line
 * breaks) and unpaired UTF-16 surrogates removed. For text the service takes from outside
 * parties it does not validate like input (a PSP, OCR, an AI reply).
 */
export function storableText(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}
