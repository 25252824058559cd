/**
 * The fuzz's cases (issue 12): for one operation of `/openapi.json`, a fast-check arbitrary of
 * mutations of its valid request (valid-requests.ts), each breaking one thing: a body field set
 * to a hostile value, dropped, or joined by an unknown one; the whole body malformed, of another
 * JSON type, empty, oversized, or sent as another content type; a path parameter that is not an
 * id; a bad page or filter; a bad Idempotency-Key or X-Min-Event-Position; a broken webhook
 * signature. Mutations are plain data, so a seed reproduces them; `applyMutation` turns one into
 * an HTTP request and says whether the service must refuse it (`reject`: a 2xx is a finding) or
 * may accept it (`any`: the input may happen to be valid). Either way a 5xx is a finding.
 *
 * The classification is deliberately conservative: `reject` only where API-RULES.md or the
 * operation's schema leaves no doubt (wrong JSON type, a required field missing, an unknown
 * field, money as a JSON number or a bad decimal, text PostgreSQL cannot store, an id that is not
 * a UUID, a page outside 1–200, a malformed body or a foreign content type).
 */
import fc from 'fast-check';
import { signWebhook } from '../../../libs/psp/src';
import { multipart } from '../../proof-files/multipart';
import { TEST_WEBHOOK_SECRET } from '../../support/test-app';
import {
  BOUNDARY_TEXT,
  type HostileValue,
  RawJson,
  badIdSegment,
  badIdempotencyKey,
  badPage,
  badPositionToken,
  exoticText,
  freeTextValue,
  hostileValue,
  unstorableText,
} from './hostile-values';
import { type JsonSchema, type Operation, fillPath } from './openapi-operations';
import type { Recipe, ValidRequest } from './valid-requests';

export type Expectation = 'reject' | 'any';

export type Mutation =
  | { kind: 'valid' }
  | { kind: 'set'; path: string[]; v: HostileValue }
  | { kind: 'drop'; path: string[] }
  | { kind: 'extra'; path: string[]; name: string; v: HostileValue }
  | { kind: 'body'; variant: BodyVariant; pick: number }
  | { kind: 'param'; name: string; segment: string; label: string; strict: boolean }
  | { kind: 'query'; name: string; value: string | string[] | null; label: string; strict: boolean }
  | { kind: 'header'; name: string; value: string; label: string }
  | { kind: 'signature'; variant: 'none' | 'wrong' | 'stale' | 'junk-timestamp' | 'other-secret' };

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

/** Field names whose values are money: decimal strings only (API-RULES.md §3). */
export const MONEY_FIELDS = new Set(['amount', 'amount_total', 'total_amount', 'daily_limit', 'total_limit']);
/** Operations whose body must be absent or `{}` (NoBodyPipe): anything else is a 422. */
const NO_BODY_POSTS = new Set([
  'POST /escrows/{id}/check-deadline',
  'POST /escrows/milestones/{milestoneId}/release',
  'POST /payments/execute/{id}',
  'POST /payments/{id}/retry',
  'POST /mandates/cleanup',
]);
const WEBHOOK = 'POST /psp/webhook';
const UPLOAD = 'POST /proofs/files';
/** Path parameters that name no UUID (free text: a stream id, a ledger account). */
const FREE_PARAMS = new Set(['streamId', 'account']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MALFORMED_JSON = ['{', '{"a":}', "{'a':1}", '{"a":1,}', '{"a":1}}', 'nul', '{"a":"\\x"}', '[1,2', '{"a":01}', '\u0000{}', '{"a":"b"', '{"a":NaN}', '{"a":Infinity}'];
const NON_OBJECTS = ['[]', '[{}]', '"text"', '1', 'true', '1e309'];

export interface FuzzShape {
  op: Operation;
  recipe: Recipe;
  /** The valid request built once, to learn which fields and parameters exist. */
  sample: ValidRequest;
  /** Whether the operation answers a page (`{items,total,limit,offset}`): its limit is fuzzed. */
  paginated: boolean;
  realIds: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Body paths to mutate: every top-level field (schema and sample) and one level inside objects. */
function bodyPaths(shape: FuzzShape): string[][] {
  const body = shape.sample.body;
  if (!isObject(body)) return [];
  const names = new Set([...Object.keys(body), ...Object.keys(shape.op.body?.schema.properties ?? {})]);
  const paths = [...names].map((n) => [n]);
  for (const [k, v] of Object.entries(body)) if (isObject(v)) for (const inner of Object.keys(v)) paths.push([k, inner]);
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

function mutationArbitrary(shape: FuzzShape): fc.Arbitrary<Mutation> {
  const { op, sample } = shape;
  const arbs: { weight: number; arbitrary: fc.Arbitrary<Mutation> }[] = [{ weight: 1, arbitrary: fc.constant<Mutation>({ kind: 'valid' }) }];
  const paths = bodyPaths(shape);
  if (paths.length > 0) {
    const path = fc.constantFrom(...paths);
    const set = path.chain((p) =>
      (isFreeText(shape, p) ? freeTextValue(shape.realIds) : hostileValue(shape.realIds)).map((v): Mutation => ({ kind: 'set', path: p, v })),
    );
    arbs.push({ weight: 14, arbitrary: set });
    arbs.push({ weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), path }) });
    const objectPaths = [[] as string[], ...paths.filter((p) => p.length === 1 && isObject((sample.body as Record<string, unknown>)[p[0]!]))];
    const extra = fc.record({
      kind: fc.constant('extra' as const),
      path: fc.constantFrom(...objectPaths),
      name: fc.oneof(fc.constantFrom('extra', 'is_admin', 'scope', '__proto__x', 'constructor', 'id', 'status', '🙂'), exoticText),
      v: hostileValue(shape.realIds),
    });
    arbs.push({ weight: 2, arbitrary: extra });
  } else if (op.method !== 'GET') {
    // No fields to break: an unknown field in a body the route does not take.
    arbs.push({ weight: 2, arbitrary: hostileValue(shape.realIds).map((v): Mutation => ({ kind: 'extra', path: [], name: 'extra', v })) });
  }
  const bodyVariants: BodyVariant[] =
    op.key === UPLOAD
      ? ['json-to-upload', 'upload-junk', 'upload-two-files', 'upload-no-file', 'upload-empty-file', 'upload-exotic-name', 'text/plain', 'oversized', 'malformed']
      : ['malformed', 'non-object', 'null', 'empty', 'text/plain', 'form-urlencoded', 'multipart', 'oversized', 'deep', 'proto'];
  arbs.push({ weight: op.body ? 4 : 2, arbitrary: fc.record({ kind: fc.constant('body' as const), variant: fc.constantFrom(...bodyVariants), pick: fc.nat() }) });
  for (const name of op.pathParams) {
    const strict = !FREE_PARAMS.has(name);
    const bad = badIdSegment.map((b): Mutation => ({ kind: 'param', name, segment: b.segment, label: b.kind, strict }));
    const real = fc.constantFrom(...shape.realIds).map((id): Mutation => ({ kind: 'param', name, segment: id, label: 'an id of another object', strict: false }));
    const upper = fc.constant<Mutation>({ kind: 'param', name, segment: (sample.params?.[name] ?? '').toUpperCase(), label: 'upper case', strict: false });
    arbs.push({ weight: 5, arbitrary: fc.oneof({ weight: 5, arbitrary: bad }, { weight: 2, arbitrary: real }, { weight: 1, arbitrary: upper }) });
  }
  const queries = queryMutations(shape);
  if (queries) arbs.push({ weight: 4, arbitrary: queries });
  arbs.push({ weight: 2, arbitrary: headerMutations(shape) });
  if (op.key === WEBHOOK) {
    const variants = ['none', 'wrong', 'stale', 'junk-timestamp', 'other-secret'] as const;
    arbs.push({ weight: 3, arbitrary: fc.constantFrom(...variants).map((variant): Mutation => ({ kind: 'signature', variant })) });
  }
  return fc.oneof(...arbs);
}

function queryMutations(shape: FuzzShape): fc.Arbitrary<Mutation> | null {
  const { op } = shape;
  const arbs: fc.Arbitrary<Mutation>[] = [];
  const strictQuery = shape.paginated || op.query.length > 0;
  if (shape.paginated) {
    arbs.push(badPage.map((p): Mutation => ({ kind: 'query', name: p.name, value: p.value, label: `bad ${p.name}`, strict: true })));
  }
  for (const q of op.query) {
    const strict = Boolean(q.schema.enum || q.schema.format === 'uuid');
    arbs.push(
      fc
        .oneof(exoticText, fc.constantFrom('abc', '1', '', 'null', 'FUNDED ', 'funded', '%', ' '))
        .map((value): Mutation => ({ kind: 'query', name: q.name, value, label: `junk ${q.name}`, strict: strict && !accepts(q.schema, value) })),
    );
    // A NUL arrives as itself (422); a lone surrogate can only travel as WTF-8 bytes, which the
    // query parser may read as U+FFFD: refused for sure only where the parameter is typed.
    arbs.push(
      unstorableText.map((value): Mutation => ({ kind: 'query', name: q.name, value, label: `unstorable ${q.name}`, strict: strict || value.includes('\u0000') })),
    );
    arbs.push(fc.constant<Mutation>({ kind: 'query', name: q.name, value: ['a', 'b'], label: `repeated ${q.name}`, strict }));
    arbs.push(fc.constant<Mutation>({ kind: 'query', name: q.name, value: null, label: `no ${q.name}`, strict: q.required }));
  }
  if (op.method === 'GET' || op.query.length > 0) {
    arbs.push(fc.constant<Mutation>({ kind: 'query', name: 'unknown_filter', value: 'x', label: 'unknown parameter', strict: strictQuery }));
  }
  return arbs.length ? fc.oneof(...arbs) : null;
}

function headerMutations(shape: FuzzShape): fc.Arbitrary<Mutation> {
  const arbs: fc.Arbitrary<Mutation>[] = [
    badIdempotencyKey.map((k): Mutation => ({ kind: 'header', name: 'idempotency-key', value: k.value, label: `Idempotency-Key ${k.kind}` })),
    fc.constant<Mutation>({ kind: 'header', name: 'idempotency-key', value: '   ', label: 'blank Idempotency-Key' }),
    badPositionToken.map((value): Mutation => ({ kind: 'header', name: 'x-min-event-position', value, label: 'bad X-Min-Event-Position' })),
    fc.constantFrom('../../etc', 'x'.repeat(500), 'id with spaces', '', 'é').map((value): Mutation => ({ kind: 'header', name: 'x-request-id', value, label: 'odd X-Request-Id' })),
  ];
  return fc.oneof(...arbs);
}

/**
 * The cases for one operation: each free-text field set to each of `BOUNDARY_TEXT` (a fixed
 * corpus: chance alone rarely puts an astral character exactly where a cut falls), then `runs`
 * mutations drawn with `seed`.
 */
export function fuzzCases(shape: FuzzShape, seed: number, runs: number): Mutation[] {
  const boundary = bodyPaths(shape)
    .filter((p) => isFreeText(shape, p))
    .flatMap((path) => BOUNDARY_TEXT.map((value): Mutation => ({ kind: 'set', path, v: { cls: 'exotic', value } })));
  return [...boundary, ...fc.sample(mutationArbitrary(shape), { seed, numRuns: runs })];
}

// ---------------------------------------------------------------------------------------------
// Turning a mutation into a request, and deciding what the answer may be.

export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface FuzzRequest {
  wire: WireRequest;
  expect: Expectation;
  label: string;
}

interface FieldInfo {
  schema: JsonSchema;
  required: boolean;
  money: boolean;
  /** Nested in a free-form object, or the webhook's body: the service names no type for it. */
  free: boolean;
  /** The JSON type the valid request has there (or the schema's). */
  validType: string;
}

function jsonType(v: unknown): string {
  if (v instanceof RawJson) return 'number';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'number' ? 'number' : typeof v;
}

function fieldInfo(op: Operation, body: Record<string, unknown>, path: string[]): FieldInfo {
  const top = path[0]!;
  const schema = op.body?.schema.properties?.[top] ?? {};
  const nested = path.length > 1;
  const valid = nested ? (body[top] as Record<string, unknown> | undefined)?.[path[1]!] : body[top];
  return {
    schema: nested ? {} : schema,
    required: !nested && (op.body?.schema.required ?? []).includes(top),
    money: !nested && MONEY_FIELDS.has(top),
    free: nested || op.key === WEBHOOK,
    validType: valid !== undefined ? jsonType(valid) : schema.type === 'integer' ? 'number' : (schema.type ?? 'unknown'),
  };
}

/** Whether a string could be valid for a strictly typed schema (a guess in the value's favour). */
function accepts(schema: JsonSchema, value: string): boolean {
  if (schema.enum) return schema.enum.some((e) => String(e).toLowerCase() === value.trim().toLowerCase());
  if (schema.format === 'uuid') return UUID.test(value.trim());
  if (schema.format === 'date-time') return !Number.isNaN(Date.parse(value));
  return true;
}

const isStrict = (f: FieldInfo, name: string) =>
  Boolean(f.schema.enum || f.schema.format === 'uuid' || f.schema.format === 'date-time' || f.money || name === 'currency');

function expectForSet(op: Operation, f: FieldInfo, name: string, v: HostileValue): Expectation {
  if (v.cls === 'unstorable') return 'reject';
  if (v.value instanceof RawJson && v.value.text === '1e309') return 'reject';
  if (f.free) return 'any';
  if (v.cls === 'null') return f.required ? 'reject' : 'any';
  if (v.cls === 'realId') return f.schema.format === 'uuid' || f.validType === 'string' ? 'any' : 'reject';
  if (f.money && (v.cls === 'moneyNumber' || typeof v.value === 'number')) return 'reject';
  if (f.validType !== 'unknown' && jsonType(v.value) !== f.validType) return 'reject';
  if (typeof v.value === 'string') {
    if (f.money) return /^\d+(\.\d{1,2})?$/.test(v.value) ? 'any' : 'reject';
    if (isStrict(f, name)) {
      if (name === 'currency') return /^[A-Za-z]{3}$/.test(v.value.trim()) ? 'any' : 'reject';
      return accepts(f.schema, v.value) ? 'any' : 'reject';
    }
    if (v.cls === 'huge' && f.schema.maxLength !== undefined && v.value.length > f.schema.maxLength) return 'reject';
  }
  void op;
  return 'any';
}

/** The request, with placeholders for raw JSON and a copy of the valid body to change. */
function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** JSON.stringify that writes `RawJson` values as their text. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `@@RAW_${raws.length - 1}@@`;
    }
    return v;
  });
  return text.replace(/"@@RAW_(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

function setAt(body: Record<string, unknown>, path: string[], value: unknown): void {
  if (path.length === 1) body[path[0]!] = value;
  else {
    const inner = isObject(body[path[0]!]) ? (body[path[0]!] as Record<string, unknown>) : {};
    inner[path[1]!] = value;
    body[path[0]!] = inner;
  }
}

function deleteAt(body: Record<string, unknown>, path: string[]): void {
  if (path.length === 1) delete body[path[0]!];
  else if (isObject(body[path[0]!])) delete (body[path[0]!] as Record<string, unknown>)[path[1]!];
}

export interface RequestContext {
  key: string | null;
  requestId: string;
  idempotencyKey: string;
  bodyLimitBytes: number;
}

/** Builds the request a mutation makes of a valid request, and what the answer may be. */
export function applyMutation(op: Operation, recipe: Recipe, valid: ValidRequest, m: Mutation, ctx: RequestContext): FuzzRequest {
  const params = { ...(valid.params ?? {}) };
  const query: Record<string, string | string[]> = { ...(valid.query ?? {}) };
  const headers: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.key) headers['x-api-key'] = ctx.key;
  if (recipe.idempotency !== 'ignored') headers['idempotency-key'] = ctx.idempotencyKey;
  let body: unknown = clone(valid.body);
  let payload: string | Buffer | undefined;
  let contentType: string | undefined;
  let expect: Expectation = 'any';
  let label: string = m.kind;
  let signature: Extract<Mutation, { kind: 'signature' }>['variant'] | null = valid.signed ? null : 'none';
  const hasJsonBody = Boolean(op.body) && op.key !== UPLOAD;
  const parsesBody = op.method !== 'GET';
  switch (m.kind) {
    case 'valid':
      label = 'the valid request';
      break;
    case 'set': {
      const f = fieldInfo(op, isObject(body) ? body : {}, m.path);
      if (!isObject(body)) body = {};
      setAt(body as Record<string, unknown>, m.path, m.v.value);
      expect = expectForSet(op, f, m.path[m.path.length - 1]!, m.v);
      label = `${m.path.join('.')} = ${m.v.cls}`;
      break;
    }
    case 'drop': {
      const f = fieldInfo(op, isObject(body) ? body : {}, m.path);
      if (isObject(body)) deleteAt(body, m.path);
      expect = f.required && !f.free ? 'reject' : 'any';
      label = `no ${m.path.join('.')}`;
      break;
    }
    case 'extra': {
      const target = isObject(body) ? body : (body = {});
      if (m.path.length === 0) (target as Record<string, unknown>)[m.name] = m.v.value;
      else setAt(target as Record<string, unknown>, [m.path[0]!, m.name], m.v.value);
      const unknownTopLevel = m.path.length === 0 && !(op.body?.schema.properties ?? {})[m.name];
      const refusesUnknown = (hasJsonBody && op.key !== WEBHOOK) || NO_BODY_POSTS.has(op.key);
      expect = m.v.cls === 'unstorable' && parsesBody ? 'reject' : unknownTopLevel && refusesUnknown ? 'reject' : 'any';
      label = `extra ${[...m.path, m.name].join('.')} = ${m.v.cls}`;
      break;
    }
    case 'body': {
      const made = bodyVariant(op, valid, m.variant, m.pick, ctx.bodyLimitBytes);
      payload = made.payload;
      contentType = made.contentType;
      body = undefined;
      expect = made.expect;
      label = `body ${m.variant}`;
      break;
    }
    case 'param':
      params[m.name] = m.segment;
      expect = m.strict ? 'reject' : ['NUL', 'bad percent-encoding', 'UTF-8 surrogate'].includes(m.label) || m.segment.length > 300 ? 'reject' : 'any';
      label = `${m.name}: ${m.label}`;
      break;
    case 'query':
      if (m.value === null) delete query[m.name];
      else query[m.name] = m.value;
      expect = m.strict ? 'reject' : 'any';
      label = m.label;
      break;
    case 'header': {
      // Header values travel as bytes: text outside latin1 is sent as its UTF-8 bytes.
      headers[m.name] = Buffer.from(m.value, 'utf8').toString('latin1');
      const idem = m.name === 'idempotency-key';
      const blank = m.value.trim() === '';
      if (idem) expect = recipe.idempotency === 'required' || (recipe.idempotency === 'honoured' && !blank) ? 'reject' : 'any';
      if (m.name === 'x-min-event-position') expect = op.method === 'GET' ? 'reject' : 'any';
      label = m.label;
      break;
    }
    case 'signature':
      signature = m.variant;
      expect = 'reject';
      label = `webhook signature ${m.variant}`;
      break;
  }
  if (payload === undefined && valid.upload && m.kind !== 'body') {
    const made = multipart([{ name: 'file', filename: valid.upload.filename, contentType: valid.upload.mime, body: valid.upload.bytes }]);
    payload = made.payload;
    contentType = made.headers['content-type'];
    if (isObject(body) && Object.keys(body).length > 0) expect = 'any';
  } else if (payload === undefined && body !== undefined) {
    payload = toJsonText(body);
    contentType = 'application/json';
  }
  if (contentType) headers['content-type'] = contentType;
  if (op.key === WEBHOOK) signWebhookRequest(headers, typeof payload === 'string' ? payload : '', signature);
  const url = fillPath(op.path, params) + queryString(query);
  return { wire: { method: op.method, url, headers, payload }, expect, label };
}

function queryString(query: Record<string, string | string[]>): string {
  const parts = Object.entries(query).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeText(k)}=${encodeText(x)}`));
  return parts.length ? `?${parts.join('&')}` : '';
}

/** encodeURIComponent, except that a lone surrogate is sent as its WTF-8 bytes (it has no UTF-8). */
export function encodeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

const WEBHOOK_DRIFT_BEYOND_S = 3600;

function signWebhookRequest(headers: Record<string, string>, raw: string, variant: Extract<Mutation, { kind: 'signature' }>['variant'] | null): void {
  if (variant === 'none') return;
  const now = Math.trunc(Date.now() / 1000);
  const timestamp = variant === 'stale' ? String(now - WEBHOOK_DRIFT_BEYOND_S) : variant === 'junk-timestamp' ? 'yesterday' : String(now);
  const secret = variant === 'other-secret' ? 'not-the-webhook-secret-0123456789' : TEST_WEBHOOK_SECRET;
  let signature = signWebhook(secret, timestamp, raw);
  if (variant === 'wrong') signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  headers['x-psp-timestamp'] = timestamp;
  headers['x-psp-signature'] = signature;
}

/** A whole-body variant: its payload, content type, and whether it must be refused. */
function bodyVariant(op: Operation, valid: ValidRequest, variant: BodyVariant, pick: number, limitBytes: number): { payload: string | Buffer; contentType?: string; expect: Expectation } {
  const parses = op.method !== 'GET';
  const takesJson = Boolean(op.body) && op.key !== UPLOAD;
  const validText = valid.body !== undefined ? toJsonText(valid.body) : '{}';
  const reject = (payload: string | Buffer, contentType?: string) => ({ payload, contentType, expect: 'reject' as const });
  const maybe = (payload: string | Buffer, contentType?: string) => ({ payload, contentType, expect: 'any' as const });
  switch (variant) {
    case 'malformed': {
      const text = MALFORMED_JSON[pick % MALFORMED_JSON.length]!;
      return parses ? reject(text, 'application/json') : maybe(text, 'application/json');
    }
    case 'non-object': {
      const text = NON_OBJECTS[pick % NON_OBJECTS.length]!;
      return parses && (takesJson || NO_BODY_POSTS.has(op.key) || op.key === UPLOAD) ? reject(text, 'application/json') : maybe(text, 'application/json');
    }
    case 'null':
      return takesJson && (op.body?.schema.required ?? []).length > 0 ? reject('null', 'application/json') : maybe('null', 'application/json');
    case 'empty':
      return parses ? reject('', 'application/json') : maybe('', 'application/json');
    case 'text/plain':
      return parses ? reject(validText, 'text/plain') : maybe(validText, 'text/plain');
    case 'form-urlencoded':
      return parses ? reject('amount=1.00&currency=USD', 'application/x-www-form-urlencoded') : maybe('a=1', 'application/x-www-form-urlencoded');
    case 'multipart': {
      const made = multipart([{ name: 'file', filename: 'a.json', contentType: 'application/json', body: validText }]);
      return reject(made.payload, made.headers['content-type']);
    }
    case 'json-to-upload':
      return reject(JSON.stringify({ file: 'aGVsbG8=' }), 'application/json');
    case 'oversized': {
      const filler = 'x'.repeat(limitBytes + 1024);
      if (op.key === UPLOAD) {
        const made = multipart([{ name: 'file', filename: 'big.jpg', contentType: 'image/jpeg', body: filler }]);
        return reject(made.payload, made.headers['content-type']);
      }
      return parses ? reject(JSON.stringify({ filler }), 'application/json') : maybe(JSON.stringify({ filler }), 'application/json');
    }
    case 'deep': {
      const text = `{"a":${'['.repeat(40)}${']'.repeat(40)}}`;
      return parses ? reject(text, 'application/json') : maybe(text, 'application/json');
    }
    case 'proto': {
      const text = '{"__proto__":{"is_admin":true},"constructor":{"prototype":{"x":1}}}';
      return parses ? reject(text, 'application/json') : maybe(text, 'application/json');
    }
    case 'upload-junk':
    case 'upload-two-files':
    case 'upload-no-file':
    case 'upload-empty-file':
    case 'upload-exotic-name':
      return uploadVariant(valid, variant);
  }
}

function uploadVariant(valid: ValidRequest, variant: BodyVariant): { payload: Buffer; contentType: string; expect: Expectation } {
  const file = valid.upload!;
  const parts = {
    'upload-junk': [{ name: 'file', filename: 'photo.jpg', contentType: 'image/jpeg', body: Buffer.from('this is not a JPEG at all') }],
    'upload-two-files': [
      { name: 'file', filename: 'a.jpg', contentType: file.mime, body: file.bytes },
      { name: 'file', filename: 'b.jpg', contentType: file.mime, body: file.bytes },
    ],
    'upload-no-file': [{ name: 'note', body: 'no file here' }],
    'upload-empty-file': [{ name: 'file', filename: 'empty.jpg', contentType: 'image/jpeg', body: Buffer.alloc(0) }],
    'upload-exotic-name': [{ name: 'file', filename: 'ab🙂cde\u202E.jpg', contentType: file.mime, body: file.bytes }],
  }[variant as 'upload-junk'];
  const made = multipart(parts);
  return { payload: made.payload, contentType: made.headers['content-type']!, expect: variant === 'upload-exotic-name' ? 'any' : 'reject' };
}
