/**
 * fast-check arbitraries of hostile input for the property specs of issue 12 ("no data any client
 * can send halts a projector"), and the checks those specs share:
 * - text: astral characters (🙂, 𝔘), combining marks, RTL and bidi controls, zero-width and
 *   noncharacters, control characters, the issue's own strings, and lengths up to a field's bound
 *   (100 KB where only the body limit bounds it), measured in UTF-16 code units as the deciders
 *   measure them;
 * - JSON of any shape: deep nesting, huge arrays, `__proto__`/`constructor` keys (own data
 *   properties, as `JSON.parse` makes them), 1e308, -0, 5e-324, and the keys the masks look for;
 * - what PostgreSQL cannot store (NUL, lone surrogates), kept apart: the HTTP edge refuses it and
 *   the event store throws `UnstorableEventError`, so it is never in an event.
 * Runs use a fixed seed by default so CI is deterministic: `PROPERTY_SEED=<n>` replays another,
 * `PROPERTY_SEED=random` explores, `PROPERTY_RUNS_FACTOR=<x>` scales every spec's run count.
 */
import fc from 'fast-check';
import { truncateUtf16 } from '@kob/kernel';

export const PROPERTY_SEED_DEFAULT = 20261212;

/** fast-check's run settings for a spec that wants `numRuns` runs by default. */
export function propertyParams<T>(numRuns: number): fc.Parameters<T> {
  const given = process.env.PROPERTY_SEED;
  const seed =
    given === 'random'
      ? Math.floor(Math.random() * 0x7fffffff)
      : given
        ? Number(given)
        : PROPERTY_SEED_DEFAULT;
  const factor = Number(process.env.PROPERTY_RUNS_FACTOR ?? '1');
  return {
    seed,
    numRuns: Math.max(1, Math.round(numRuns * (Number.isFinite(factor) ? factor : 1))),
  };
}

/**
 * `fc.anything` options for every kind of JavaScript value a walker of client data can meet
 * beyond JSON's own: bigints, boxed primitives, dates, maps and sets, null-prototype objects,
 * `Object`-wrapped strings, sparse and typed arrays.
 */
export const EVERY_KIND_OF_VALUE = {
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
} as const;

/** The strings issue 12 reproduced the halt with. */
export const ISSUE_STRINGS = ['ab🙂cde', 'ß𝔘🙂Ǆ'] as const;

/** Characters and clusters that break naive text handling (all storable). */
export const TRICKY_TEXT = [
  ...ISSUE_STRINGS,
  '🙂',
  '𝔘',
  'ß',
  'Ǆ',
  'e\u0301',
  '\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '🇫🇷',
  '\u{10FFFF}',
  '\u{E0001}',
  '\uFFFF',
  '\uFFFE',
  '\uFFFD',
  '\uFEFF',
  '\u200B',
  '\u200D',
  '\u200F',
  '\u202E',
  '\u202B',
  '\u2066',
  '\u061C',
  'עברית',
  'العربية',
  '\u2028',
  '\u2029',
  '\u0085',
  '\u0001',
  '\u007F',
  '\t',
  '\r\n',
  '\\',
  '"',
  "'",
  '%_',
  '{}',
  '@',
  '/',
  '?#',
  ' ',
] as const;

/** The characters PostgreSQL refuses in jsonb (and `text`, for NUL): a NUL, surrogate halves. */
export const UNSTORABLE_CHARS = [
  '\u0000',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83D',
  '\uDE42',
] as const;

/** One code point anywhere in Unicode but NUL and the surrogate range. */
const anyCodePoint = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((cp) => cp < 0xd800 || cp > 0xdfff)
  .map((cp) => String.fromCodePoint(cp));

const textUnit = fc.oneof(
  { weight: 4, arbitrary: anyCodePoint },
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_TEXT) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

/** `pattern` repeated to `length` code units (a long text built without generating each unit). */
function filled(pattern: string, length: number): string {
  if (pattern.length === 0 || length <= 0) return '';
  return truncateUtf16(pattern.repeat(Math.ceil(length / pattern.length)), length);
}

export interface TextOptions {
  /** Most UTF-16 code units (as the deciders' `value.length` checks count). */
  lengthMax: number;
  lengthMin?: number;
  /** Not empty or only white space (what `requiredText` demands). */
  nonBlank?: boolean;
}

/** Storable text of any Unicode within the bounds (no NUL, no lone surrogate). */
export function text(o: TextOptions): fc.Arbitrary<string> {
  const min = o.lengthMin ?? 0;
  const shortMax = Math.min(o.lengthMax, 24);
  const branches: fc.WeightedArbitrary<string>[] = [
    // Up to the bound: a short pattern repeated (100 KB where the bound allows it).
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.string({ unit: textUnit, minLength: 1, maxLength: 6 }),
          fc.integer({ min, max: o.lengthMax }),
        )
        .map(([pattern, length]) => filled(pattern, length)),
    },
    {
      weight: 1,
      arbitrary: fc
        .string({ unit: textUnit, minLength: 1, maxLength: 4 })
        .map((p) => filled(p, o.lengthMax)),
    },
  ];
  if (min <= shortMax) {
    branches.push(
      { weight: 5, arbitrary: fc.string({ unit: textUnit, minLength: min, maxLength: shortMax }) },
      { weight: 1, arbitrary: fc.constantFrom(...ISSUE_STRINGS) },
    );
  }
  return fc
    .oneof(...branches)
    .map((s) => truncateUtf16(s, o.lengthMax))
    .filter((s) => s.length >= min && (!o.nonBlank || s.trim().length > 0));
}

/** Text holding at least one character PostgreSQL refuses, for the store's refusal. */
export function unstorableText(o: TextOptions): fc.Arbitrary<string> {
  return fc
    .tuple(
      text({ ...o, lengthMax: Math.max(0, o.lengthMax - 1) }),
      fc.constantFrom(...UNSTORABLE_CHARS),
      fc.nat(),
    )
    .map(([s, bad, at]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return `${s.slice(0, i)}${bad}${s.slice(i)}`;
    });
}

/**
 * Decimal text as amounts are stored (`-12.50`, `7`): up to `integerDigitsMax` digits before the
 * point (leading zeros too), up to `decimalsMax` after it when there is one, negative when `signed`.
 */
export function decimalText(o: {
  integerDigitsMax: number;
  decimalsMax: number;
  signed?: boolean;
}): fc.Arbitrary<string> {
  const digits = (max: number) =>
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });
  return fc
    .tuple(
      o.signed ? fc.boolean() : fc.constant(false),
      digits(o.integerDigitsMax),
      fc.option(digits(o.decimalsMax)),
    )
    .map(
      ([negative, whole, decimals]) =>
        `${negative ? '-' : ''}${whole}${decimals === null ? '' : `.${decimals}`}`,
    );
}

/** Printable ASCII without spaces (payee refs, PSP references as the PSP adapter keeps them). */
export function visibleAscii(lengthMin: number, lengthMax: number): fc.Arbitrary<string> {
  return fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: lengthMin,
    maxLength: lengthMax,
  });
}

/** Numbers at the edges of what JSON and jsonb carry. */
export const EDGE_NUMBERS = [
  1e308,
  -1e308,
  Number.MAX_VALUE,
  5e-324,
  -0,
  0,
  0.1,
  1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 63),
  123456789.123456789,
] as const;

const jsonNumber = fc.oneof(
  fc.constantFrom(...EDGE_NUMBERS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Keys that trip object handling, and the keys the masks act on. */
export const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'toJSON',
  'then',
  '',
  ' ',
  'on_deadline',
  'card_number',
  'cardNumber',
  'iban',
  'iban_last4',
  'ibanLast4',
  'account_number',
  'beneficiary_iban',
  'psp_ref',
  'pspRef',
  'psp_reference',
  'payment_reference',
  'email',
  'contact_email',
  'phone',
  'storage_url',
  'proof_url',
  'supplier_name',
  'beneficiary_name',
  'key',
  'key_hash',
  'request_hash',
] as const;

/** Strings shaped like what the masks recognise by shape (IBANs, emails) or cut (URLs). */
const SHAPED_STRINGS = [
  'FR76 3000 6000 0112 3456 7890 189',
  'GB82WEST12345698765432',
  'alice@example.com',
  '🙂@𝔘.example',
  'https://h/🙂/𝔘.jpg?sig=🙂#x',
  '4111 1111 1111 1111',
] as const;

export const jsonKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 1, arbitrary: text({ lengthMax: 40 }) },
);

/** A plain object from entries: `__proto__` becomes an own data property, as JSON.parse makes it. */
function fromEntries(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  return Object.fromEntries(entries);
}

export interface JsonOptions {
  /** Longest string leaf (UTF-16 units); 100 KB strings appear only where this allows them. */
  stringLengthMax?: number;
  /** Deepest nesting of the occasional deep value (the HTTP edge allows 32 below the body). */
  depthMax?: number;
  /** Longest of the occasional huge arrays. */
  arrayLengthMax?: number;
}

/** Any JSON value of any shape, with storable strings. */
export function jsonValue(o: JsonOptions = {}): fc.Arbitrary<unknown> {
  const stringLengthMax = o.stringLengthMax ?? 100_000;
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    jsonNumber,
    text({ lengthMax: Math.min(64, stringLengthMax) }),
    fc.constantFrom(...SHAPED_STRINGS),
  );
  const { node } = fc.letrec((tie) => ({
    node: fc.oneof({ maxDepth: 4, depthIdentifier: 'json' }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('node'), { maxLength: 5, depthIdentifier: 'json' }),
    object: fc
      .array(fc.tuple(jsonKey, tie('node')), { maxLength: 5, depthIdentifier: 'json' })
      .map(fromEntries),
  }));
  const depthMax = o.depthMax ?? 40;
  const deep = fc
    .tuple(fc.integer({ min: Math.min(20, depthMax), max: depthMax }), leaf, jsonKey)
    .map(([depth, inner, key]) => nested(depth, inner, key));
  const arrayLengthMax = o.arrayLengthMax ?? 3_000;
  const huge = fc
    .tuple(fc.integer({ min: Math.min(1_000, arrayLengthMax), max: arrayLengthMax }), leaf)
    .map(([length, item]) =>
      Array.from({ length }, (_, i) => (i % 3 === 0 ? item : i % 3 === 1 ? ISSUE_STRINGS[0] : i)),
    );
  const long = text({ lengthMax: stringLengthMax, lengthMin: Math.min(stringLengthMax, 1_000) });
  return fc.oneof(
    { weight: 12, arbitrary: node },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: huge },
    { weight: 1, arbitrary: long },
  );
}

/** A JSON object (what a `Record<string, unknown>` field of an event holds). */
export function jsonObject(o: JsonOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(jsonKey, jsonValue(o)), { maxLength: 6 }).map(fromEntries);
}

/** `inner` under `depth` levels of alternating objects (keyed `key`) and arrays. */
export function nested(depth: number, inner: unknown, key = 'next'): unknown {
  let value = inner;
  for (let level = 0; level < depth; level++)
    value = level % 2 === 0 ? fromEntries([[key, value]]) : [value];
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL's jsonb would refuse `text`, or null. */
export function unstorableReason(text: string): string | null {
  if (text.includes('\u0000')) return 'a NUL character';
  if (LONE_SURROGATE.test(text)) return 'a lone surrogate';
  return null;
}

/** Every string and key in a JSON value (iteratively: deep values do not grow the stack). */
export function* stringsIn(value: unknown): Generator<string> {
  const stack: unknown[] = [value];
  for (let steps = 0; stack.length > 0 && steps < 10_000_000; steps++) {
    const v = stack.pop();
    if (typeof v === 'string') yield v;
    else if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        yield k;
        stack.push(inner);
      }
    }
  }
}

/** Whether any string or key in `value` holds what jsonb refuses. */
export function holdsUnstorable(value: unknown): boolean {
  for (const s of stringsIn(value)) if (unstorableReason(s) !== null) return true;
  return false;
}

const isWellFormed = (s: string): boolean =>
  (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The strings and keys of `value` that are not well-formed Unicode (empty when all are). */
export function illFormedStrings(value: unknown): string[] {
  const bad: string[] = [];
  for (const s of stringsIn(value))
    if (!isWellFormed(s)) bad.push(s.length > 40 ? `${s.slice(0, 40)}…` : s);
  return bad;
}

/**
 * What `value` looks like after a JSON round trip, compared as canonical text: JSON.stringify
 * must not throw, its text must parse back to the same text (-0 is written `0` both times).
 */
export function jsonRoundTrip(value: unknown): { text: string; again: string } {
  const text = JSON.stringify(value) ?? 'undefined';
  const again = text === 'undefined' ? text : JSON.stringify(JSON.parse(text));
  return { text, again };
}
