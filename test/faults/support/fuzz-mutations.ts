/**
 * The fuzz's cases (issue 12): for one operation of `/openapi.json`, fast-check draws mutations
 * of its valid request (valid-requests.ts), each breaking one thing: a body field set to a
 * hostile value, dropped, or joined by an unknown one; the whole body malformed, of another JSON
 * type, empty, oversized, or of another content type; a path parameter that is not an id; a bad
 * page or filter; a bad Idempotency-Key or X-Min-Event-Position; a broken webhook signature.
 * Mutations are plain data, so a seed reproduces them; fuzz-requests.ts turns one into an HTTP
 * request and decides what the answer may be.
 */
import fc from 'fast-check';
import {
  BOUNDARY_TEXT,
  type HostileValue,
  badIdSegment,
  badIdempotencyKey,
  badPage,
  badPositionToken,
  exoticText,
  freeTextValue,
  hostileValue,
  unstorableText,
} from './hostile-values';
import type { JsonSchema, Operation } from './openapi-operations';
import type { Recipe, ValidRequest } from './valid-requests';

export type SignatureVariant = 'none' | 'wrong' | 'stale' | 'junk-timestamp' | 'other-secret';

export type Mutation =
  | { kind: 'valid' }
  | { kind: 'set'; path: string[]; v: HostileValue }
  | { kind: 'drop'; path: string[] }
  | { kind: 'extra'; path: string[]; name: string; v: HostileValue }
  | { kind: 'body'; variant: BodyVariant; pick: number }
  | { kind: 'param'; name: string; segment: string; label: string; strict: boolean }
  | { kind: 'query'; name: string; value: string | string[] | null; label: string; strict: boolean }
  | { kind: 'header'; name: string; value: string; label: string }
  | { kind: 'signature'; variant: SignatureVariant };

export type BodyVariant =
  | 'malformed'
  | 'non-object'
  | 'null'
  | 'empty'
  | 'text/plain'
  | 'form-urlencoded'
  | 'multipart'
  | 'json-to-upload'
  | 'oversized'
  | 'deep'
  | 'proto'
  | 'upload-junk'
  | 'upload-two-files'
  | 'upload-no-file'
  | 'upload-empty-file'
  | 'upload-exotic-name';

const JSON_BODY_VARIANTS: BodyVariant[] = [
  'malformed',
  'non-object',
  'null',
  'empty',
  'text/plain',
  'form-urlencoded',
  'multipart',
  'oversized',
  'deep',
  'proto',
];
const UPLOAD_BODY_VARIANTS: BodyVariant[] = [
  'json-to-upload',
  'upload-junk',
  'upload-two-files',
  'upload-no-file',
  'upload-empty-file',
  'upload-exotic-name',
  'text/plain',
  'oversized',
  'malformed',
];

/** Field names whose values are money: decimal strings only (API-RULES.md §3). */
export const MONEY_FIELDS = new Set([
  'amount',
  'amount_total',
  'total_amount',
  'daily_limit',
  'total_limit',
]);
export const WEBHOOK = 'POST /psp/webhook';
export const UPLOAD = 'POST /proofs/files';
/** Path parameters that name no UUID (free text: a stream id, a ledger account). */
const FREE_PARAMS = new Set(['streamId', 'account']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTRA_FIELD_NAMES = [
  ...['extra', 'is_admin', 'scope', '__proto__x'],
  ...['constructor', 'id', 'status', '🙂'],
];
const ODD_REQUEST_IDS = ['../../etc', 'x'.repeat(500), 'id with spaces', '', 'é'];
const JUNK_QUERY_VALUES = ['abc', '1', '', 'null', 'FUNDED ', 'funded', '%', ' '];

/** What the fuzz knows of an operation before drawing its cases. */
export interface FuzzShape {
  op: Operation;
  recipe: Recipe;
  /** The valid request built once, to learn which fields and parameters exist. */
  sample: ValidRequest;
  /** Whether the operation answers a page (`{items,total,limit,offset}`): its limit is fuzzed. */
  paginated: boolean;
  /** Ids of real objects (decoys) put where other ids belong. */
  realIds: readonly string[];
}

type Weighted = { weight: number; arbitrary: fc.Arbitrary<Mutation> };

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether a string could be valid for a strictly typed schema (a guess in the value's favour). */
export function accepts(schema: JsonSchema, value: string): boolean {
  const v = value.trim();
  if (schema.enum) return schema.enum.some((e) => String(e).toLowerCase() === v.toLowerCase());
  if (schema.format === 'uuid') return UUID.test(v);
  if (schema.format === 'date-time') return !Number.isNaN(Date.parse(value));
  return true;
}

/** Body paths to mutate: every top-level field (schema and sample) and one level into objects. */
function bodyPaths(shape: FuzzShape): string[][] {
  const body = shape.sample.body;
  if (!isObject(body)) return [];
  const schemaNames = Object.keys(shape.op.body?.schema.properties ?? {});
  const paths = [...new Set([...Object.keys(body), ...schemaNames])].map((n) => [n]);
  for (const [k, v] of Object.entries(body)) {
    if (isObject(v)) for (const inner of Object.keys(v)) paths.push([k, inner]);
  }
  return paths;
}

/**
 * A field the service keeps as free text: nested in a free-form object (proof metadata), any
 * field of the webhook, or a top-level string with no format, enum or money meaning.
 */
function isFreeText(shape: FuzzShape, path: string[]): boolean {
  if (path.length > 1 || shape.op.key === WEBHOOK) return true;
  const name = path[0]!;
  const schema = shape.op.body?.schema.properties?.[name] ?? {};
  const value = isObject(shape.sample.body) ? shape.sample.body[name] : undefined;
  const text = typeof value === 'string' || (value === undefined && schema.type === 'string');
  return text && !schema.format && !schema.enum && !MONEY_FIELDS.has(name) && name !== 'currency';
}

/** Set a field to a hostile value, drop it, or add an unknown one beside it. */
function fieldMutations(shape: FuzzShape): Weighted[] {
  const paths = bodyPaths(shape);
  const anyValue = hostileValue(shape.realIds);
  if (paths.length === 0) {
    if (shape.op.method === 'GET') return [];
    // No fields to break: an unknown field in a body the route does not take.
    const extra = anyValue.map((v): Mutation => ({ kind: 'extra', path: [], name: 'extra', v }));
    return [{ weight: 2, arbitrary: extra }];
  }
  const path = fc.constantFrom(...paths);
  const set = path.chain((p) =>
    (isFreeText(shape, p) ? freeTextValue(shape.realIds) : anyValue).map((v): Mutation => ({
      kind: 'set',
      path: p,
      v,
    })),
  );
  const body = shape.sample.body as Record<string, unknown>;
  const objects = [[], ...paths.filter((p) => p.length === 1 && isObject(body[p[0]!]))];
  const extra = fc.record({
    kind: fc.constant('extra' as const),
    path: fc.constantFrom(...objects),
    name: fc.oneof(fc.constantFrom(...EXTRA_FIELD_NAMES), exoticText),
    v: anyValue,
  });
  return [
    { weight: 14, arbitrary: set },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), path }) },
    { weight: 2, arbitrary: extra },
  ];
}

function bodyMutations(shape: FuzzShape): Weighted {
  const variants = shape.op.key === UPLOAD ? UPLOAD_BODY_VARIANTS : JSON_BODY_VARIANTS;
  const arbitrary = fc.record({
    kind: fc.constant('body' as const),
    variant: fc.constantFrom(...variants),
    pick: fc.nat(),
  });
  return { weight: shape.op.body ? 4 : 2, arbitrary };
}

/** Per path parameter: a segment that is not an id, an id of another object, upper case. */
function paramMutations(shape: FuzzShape): Weighted[] {
  return shape.op.pathParams.map((name) => {
    const strict = !FREE_PARAMS.has(name);
    const bad = badIdSegment.map((b): Mutation => ({
      kind: 'param',
      name,
      segment: b.segment,
      label: b.kind,
      strict,
    }));
    const label = 'an id of another object';
    const real = fc
      .constantFrom(...shape.realIds)
      .map((id): Mutation => ({ kind: 'param', name, segment: id, label, strict: false }));
    const segment = (shape.sample.params?.[name] ?? '').toUpperCase();
    const upper = fc.constant<Mutation>({
      kind: 'param',
      name,
      segment,
      label: 'upper case',
      strict: false,
    });
    const arbitrary = fc.oneof(
      { weight: 5, arbitrary: bad },
      { weight: 2, arbitrary: real },
      { weight: 1, arbitrary: upper },
    );
    return { weight: 5, arbitrary };
  });
}

function queryMutations(shape: FuzzShape): Weighted[] {
  const { op } = shape;
  const arbs: fc.Arbitrary<Mutation>[] = [];
  type Value = string | string[] | null;
  const query = (name: string, value: Value, label: string, strict: boolean): Mutation => ({
    kind: 'query',
    name,
    value,
    label,
    strict,
  });
  if (shape.paginated) arbs.push(badPage.map((p) => query(p.name, p.value, `bad ${p.name}`, true)));
  for (const q of op.query) {
    const typed = Boolean(q.schema.enum || q.schema.format === 'uuid');
    const junk = fc.oneof(exoticText, fc.constantFrom(...JUNK_QUERY_VALUES));
    arbs.push(junk.map((v) => query(q.name, v, `junk ${q.name}`, typed && !accepts(q.schema, v))));
    // A NUL arrives as itself (422); a lone surrogate can only travel as WTF-8 bytes, which the
    // query parser may read as U+FFFD: refused for sure only where the parameter is typed.
    const label = `unstorable ${q.name}`;
    arbs.push(unstorableText.map((v) => query(q.name, v, label, typed || v.includes('\u0000'))));
    arbs.push(fc.constant(query(q.name, ['a', 'b'], `repeated ${q.name}`, typed)));
    arbs.push(fc.constant(query(q.name, null, `no ${q.name}`, q.required)));
  }
  if (op.method === 'GET' || op.query.length > 0) {
    // Query DTOs refuse unknown parameters; a route without one ignores them.
    const strict = shape.paginated || op.query.length > 0;
    arbs.push(fc.constant(query('unknown_filter', 'x', 'unknown parameter', strict)));
  }
  return arbs.length ? [{ weight: 4, arbitrary: fc.oneof(...arbs) }] : [];
}

function headerMutations(): Weighted {
  const header = (name: string, value: string, label: string): Mutation => ({
    kind: 'header',
    name,
    value,
    label,
  });
  const arbitrary = fc.oneof(
    badIdempotencyKey.map((k) => header('idempotency-key', k.value, `Idempotency-Key ${k.kind}`)),
    fc.constant(header('idempotency-key', '   ', 'blank Idempotency-Key')),
    badPositionToken.map((v) => header('x-min-event-position', v, 'bad X-Min-Event-Position')),
    fc.constantFrom(...ODD_REQUEST_IDS).map((v) => header('x-request-id', v, 'odd X-Request-Id')),
  );
  return { weight: 2, arbitrary };
}

function signatureMutations(shape: FuzzShape): Weighted[] {
  if (shape.op.key !== WEBHOOK) return [];
  const variants: SignatureVariant[] = ['none', 'wrong', 'stale', 'junk-timestamp', 'other-secret'];
  const arbitrary = fc
    .constantFrom(...variants)
    .map((variant): Mutation => ({ kind: 'signature', variant }));
  return [{ weight: 3, arbitrary }];
}

function mutationArbitrary(shape: FuzzShape): fc.Arbitrary<Mutation> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'valid' }) },
    ...fieldMutations(shape),
    bodyMutations(shape),
    ...paramMutations(shape),
    ...queryMutations(shape),
    headerMutations(),
    ...signatureMutations(shape),
  );
}

/**
 * The cases for one operation: a fixed corpus first (chance alone rarely hits these): every body
 * field set to null (an "optional" field that lets null through), every free-text field set to
 * each of `BOUNDARY_TEXT` (astral characters where a cut falls); then `runs` mutations drawn
 * with `seed`.
 */
export function fuzzCases(shape: FuzzShape, seed: number, runs: number): Mutation[] {
  const paths = bodyPaths(shape);
  const set = (path: string[], v: HostileValue): Mutation => ({ kind: 'set', path, v });
  const nulls = paths.map((path) => set(path, { cls: 'null', value: null }));
  const boundary = paths
    .filter((p) => isFreeText(shape, p))
    .flatMap((path) => BOUNDARY_TEXT.map((value) => set(path, { cls: 'exotic', value })));
  return [...nulls, ...boundary, ...fc.sample(mutationArbitrary(shape), { seed, numRuns: runs })];
}
