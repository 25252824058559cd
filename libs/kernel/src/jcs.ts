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

/** Up to this many keys are sorted by insertion, in place; more by the built-in sort. */
const INSERTION_SORT_MAX = 24;

/**
 * The keys in UTF-16 code unit order (the order `Array.prototype.sort` gives strings), sorted
 * in place. An event's objects have a few keys each; sorting them by insertion allocates
 * nothing, where the built-in sort allocates its work arrays on every call (the hash chain
 * canonicalises every object of every event appended).
 */
function sortedInPlace(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j--) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
}

/** Member names as JSON writes them, kept for the names met (bounded, short names only). */
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_MAX = 4_096;
const QUOTED_NAME_LENGTH_MAX = 64;

function quotedName(name: string): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = JSON.stringify(name);
    if (name.length <= QUOTED_NAME_LENGTH_MAX && quotedNames.size < QUOTED_NAMES_MAX)
      quotedNames.set(name, quoted);
  }
  return quoted;
}

/**
 * The canonical JSON (above) of what `JSON.stringify(value)` writes, in one pass: toJSON is
 * called (a Date becomes its ISO string), boxed primitives are unwrapped, undefined, functions
 * and symbols are left out of objects and written as null in arrays, non-finite numbers are
 * null, a bigint throws. Equal to `canonicalJson(JSON.parse(JSON.stringify(value)))`
 * (`jcs.property.spec.ts`), or undefined where JSON.stringify gives undefined; the hash chain
 * uses it to hash and store an event's data in the same text without the round trip.
 */
export function canonicalJsonOf(value: unknown, key = ''): string | undefined {
  let v = value;
  if (v !== null && (typeof v === 'object' || typeof v === 'function' || typeof v === 'bigint')) {
    const toJson = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') v = toJson.call(v, key);
  }
  if (v !== null && typeof v === 'object') {
    if (v instanceof Number) v = Number(v);
    else if (v instanceof String) v = String(v);
    else if (v instanceof Boolean) v = v.valueOf();
    else if (v instanceof BigInt) v = v.valueOf();
  }
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'string':
      return JSON.stringify(v);
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'object': {
      if (Array.isArray(v)) {
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out += ',';
          out += canonicalJsonOf(v[i], String(i)) ?? 'null';
        }
        return out + ']';
      }
      const obj = v as Record<string, unknown>;
      const keys = sortedInPlace(Object.keys(obj));
      let out = '{';
      for (const k of keys) {
        const member = canonicalJsonOf(obj[k], k);
        if (member === undefined) continue;
        if (out.length > 1) out += ',';
        out += quotedName(k) + ':' + member;
      }
      return out + '}';
    }
    default:
      return undefined;
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
