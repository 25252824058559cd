/**
 * Turns a fuzz mutation (fuzz-mutations.ts) of a valid request into the HTTP request it makes,
 * and says whether the service must refuse it (`reject`: a 2xx is a finding) or may accept it
 * (`any`: the input may happen to be valid). Either way a 5xx is a finding.
 *
 * The classification is deliberately conservative: `reject` only where API-RULES.md or the
 * operation's schema leaves no doubt (a wrong JSON type, a required field missing, an unknown
 * field, money as a JSON number or a bad decimal, text PostgreSQL cannot store, an id that is not
 * a UUID, a page outside 1–200, a malformed body, a foreign content type, a bad header where the
 * route reads it, a broken webhook signature).
 */
import { signWebhook } from '@kob/psp';
import { multipart } from '../../proof-files/multipart';
import { TEST_WEBHOOK_SECRET } from '../../support/test-app';
import {
  type BodyVariant,
  MONEY_FIELDS,
  type Mutation,
  type SignatureVariant,
  UPLOAD,
  WEBHOOK,
  accepts,
  isObject,
} from './fuzz-mutations';
import { type HostileValue, RawJson } from './hostile-values';
import { type JsonSchema, type Operation, fillPath } from './openapi-operations';
import type { Recipe, ValidRequest } from './valid-requests';

export type Expectation = 'reject' | 'any';

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

export interface RequestContext {
  key: string | null;
  requestId: string;
  idempotencyKey: string;
  bodyLimitBytes: number;
}

/** Operations whose body must be absent or `{}` (NoBodyPipe): anything else is a 422. */
const NO_BODY_POSTS = new Set([
  'POST /escrows/{id}/check-deadline',
  'POST /escrows/milestones/{milestoneId}/release',
  'POST /payments/execute/{id}',
  'POST /payments/{id}/retry',
  'POST /mandates/cleanup',
]);
/** Path segment labels a router or the storable-text pipe refuses wherever they appear. */
const ALWAYS_BAD_SEGMENTS = new Set(['NUL', 'bad percent-encoding', 'UTF-8 surrogate']);
/** Fastify's `maxParamLength` (limits.pathParamLengthMax): a longer segment is refused. */
const PATH_PARAM_LENGTH_MAX = 300;
const MALFORMED_JSON = [
  '{',
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  '{"a":1}}',
  'nul',
  '{"a":"\\x"}',
  '[1,2',
  '{"a":01}',
  '\u0000{}',
  '{"a":"b"',
  '{"a":NaN}',
  '{"a":Infinity}',
];
const NON_OBJECTS = ['[]', '[{}]', '"text"', '1', 'true', '1e309'];
const DEEP_JSON = `{"a":${'['.repeat(40)}${']'.repeat(40)}}`;
const PROTO_JSON = '{"__proto__":{"is_admin":true},"constructor":{"prototype":{"x":1}}}';
const JSON_TYPE = 'application/json';
/** A timestamp this far in the past is outside any allowed drift. */
const WEBHOOK_STALE_S = 3600;
const OTHER_WEBHOOK_SECRET = 'not-the-webhook-secret-0123456789';

/** What the fuzz knows of the field a mutation touches. */
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
  return typeof v;
}

function fieldInfo(op: Operation, body: Record<string, unknown>, path: string[]): FieldInfo {
  const top = path[0]!;
  const schema = op.body?.schema.properties?.[top] ?? {};
  const nested = path.length > 1;
  const valid = nested ? (body[top] as Record<string, unknown> | undefined)?.[path[1]!] : body[top];
  const schemaType = schema.type === 'integer' ? 'number' : (schema.type ?? 'unknown');
  return {
    schema: nested ? {} : schema,
    required: !nested && (op.body?.schema.required ?? []).includes(top),
    money: !nested && MONEY_FIELDS.has(top),
    free: nested || op.key === WEBHOOK,
    validType: valid !== undefined ? jsonType(valid) : schemaType,
  };
}

const DECIMAL_AT_SCALE_2 = /^\d+(\.\d{1,2})?$/;

/** Whether a field set to `v` must be refused. */
function expectForSet(f: FieldInfo, name: string, v: HostileValue): Expectation {
  if (v.cls === 'unstorable') return 'reject';
  if (v.value instanceof RawJson && v.value.text === '1e309') return 'reject';
  if (f.free) return 'any';
  if (v.cls === 'null') return f.required ? 'reject' : 'any';
  if (v.cls === 'realId') {
    return f.schema.format === 'uuid' || f.validType === 'string' ? 'any' : 'reject';
  }
  if (f.money && (v.cls === 'moneyNumber' || typeof v.value === 'number')) return 'reject';
  if (f.validType !== 'unknown' && jsonType(v.value) !== f.validType) return 'reject';
  if (typeof v.value !== 'string') return 'any';
  if (f.money) return DECIMAL_AT_SCALE_2.test(v.value) ? 'any' : 'reject';
  if (name === 'currency') return /^[A-Za-z]{3}$/.test(v.value.trim()) ? 'any' : 'reject';
  const typed = f.schema.enum || f.schema.format === 'uuid' || f.schema.format === 'date-time';
  if (typed) return accepts(f.schema, v.value) ? 'any' : 'reject';
  const tooLong = f.schema.maxLength !== undefined && v.value.length > f.schema.maxLength;
  return v.cls === 'huge' && tooLong ? 'reject' : 'any';
}

/** JSON.stringify that writes `RawJson` values as their text. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_k, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `@@RAW_${raws.length - 1}@@`;
  });
  return text.replace(/"@@RAW_(\d+)@@"/g, (_m, i: string) => raws[Number(i)]!);
}

function setAt(body: Record<string, unknown>, path: string[], value: unknown): void {
  if (path.length === 1) {
    body[path[0]!] = value;
    return;
  }
  const inner = isObject(body[path[0]!]) ? (body[path[0]!] as Record<string, unknown>) : {};
  inner[path[1]!] = value;
  body[path[0]!] = inner;
}

function deleteAt(body: Record<string, unknown>, path: string[]): void {
  const inner = body[path[0]!];
  if (path.length === 1) delete body[path[0]!];
  else if (isObject(inner)) delete inner[path[1]!];
}

/** The request being built: a copy of the valid one that a mutation changes. */
interface Draft {
  op: Operation;
  recipe: Recipe;
  valid: ValidRequest;
  params: Record<string, string>;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Record<string, unknown> | undefined;
  /** Set when the mutation writes the whole body itself. */
  payload?: { bytes: string | Buffer; contentType?: string };
  signature: SignatureVariant | null;
}

type Verdict = { expect: Expectation; label: string };

function mutateBody(d: Draft, m: Extract<Mutation, { kind: 'set' | 'drop' | 'extra' }>): Verdict {
  const body = (d.body ??= {});
  const f = fieldInfo(d.op, body, m.path);
  if (m.kind === 'set') {
    setAt(body, m.path, m.v.value);
    const name = m.path[m.path.length - 1]!;
    return { expect: expectForSet(f, name, m.v), label: `${m.path.join('.')} = ${m.v.cls}` };
  }
  if (m.kind === 'drop') {
    deleteAt(body, m.path);
    return { expect: f.required && !f.free ? 'reject' : 'any', label: `no ${m.path.join('.')}` };
  }
  if (m.path.length === 0) body[m.name] = m.v.value;
  else setAt(body, [m.path[0]!, m.name], m.v.value);
  const unknownTopLevel = m.path.length === 0 && !(d.op.body?.schema.properties ?? {})[m.name];
  const jsonBody = Boolean(d.op.body) && d.op.key !== UPLOAD && d.op.key !== WEBHOOK;
  const refusesUnknown = jsonBody || NO_BODY_POSTS.has(d.op.key);
  const unstorable = m.v.cls === 'unstorable' && d.op.method !== 'GET';
  const expect = unstorable || (unknownTopLevel && refusesUnknown) ? 'reject' : 'any';
  return { expect, label: `extra ${[...m.path, m.name].join('.')} = ${m.v.cls}` };
}

function mutateHeader(d: Draft, m: Extract<Mutation, { kind: 'header' }>): Verdict {
  // Header values travel as bytes: text outside latin1 is sent as its UTF-8 bytes.
  d.headers[m.name] = Buffer.from(m.value, 'utf8').toString('latin1');
  let expect: Expectation = 'any';
  if (m.name === 'idempotency-key') {
    const use = d.recipe.idempotency;
    const blank = m.value.trim() === '';
    expect = use === 'required' || (use === 'honoured' && !blank) ? 'reject' : 'any';
  }
  if (m.name === 'x-min-event-position') expect = d.op.method === 'GET' ? 'reject' : 'any';
  return { expect, label: m.label };
}

function mutate(d: Draft, m: Mutation, ctx: RequestContext): Verdict {
  switch (m.kind) {
    case 'valid':
      return { expect: 'any', label: 'the valid request' };
    case 'set':
    case 'drop':
    case 'extra':
      return mutateBody(d, m);
    case 'body': {
      const made = bodyVariant(d.op, d.valid, m.variant, m.pick, ctx.bodyLimitBytes);
      d.payload = { bytes: made.payload, contentType: made.contentType };
      return { expect: made.expect, label: `body ${m.variant}` };
    }
    case 'param': {
      d.params[m.name] = m.segment;
      const tooLong = m.segment.length > PATH_PARAM_LENGTH_MAX;
      const bad = m.strict || ALWAYS_BAD_SEGMENTS.has(m.label) || tooLong;
      return { expect: bad ? 'reject' : 'any', label: `${m.name}: ${m.label}` };
    }
    case 'query':
      if (m.value === null) delete d.query[m.name];
      else d.query[m.name] = m.value;
      return { expect: m.strict ? 'reject' : 'any', label: m.label };
    case 'header':
      return mutateHeader(d, m);
    case 'signature':
      d.signature = m.variant;
      return { expect: 'reject', label: `webhook signature ${m.variant}` };
  }
}

type Payload = { bytes?: string | Buffer; contentType?: string; expect: Expectation };

/** The payload and content type of a draft, unless the mutation wrote them itself. */
function payloadOf(d: Draft, verdict: Verdict): Payload {
  if (d.payload) return { ...d.payload, expect: verdict.expect };
  const upload = d.valid.upload;
  if (upload) {
    const { filename, mime, bytes, fields = {} } = upload;
    const made = multipart([
      { name: 'file', filename, contentType: mime, body: bytes },
      ...Object.entries(fields).map(([name, body]) => ({ name, body })),
    ]);
    // Body fields added to an upload are not sent: what would have been refused is not.
    const dropped = d.body !== undefined && Object.keys(d.body).length > 0;
    const expect = dropped ? 'any' : verdict.expect;
    return { bytes: made.payload, contentType: made.headers['content-type'], expect };
  }
  if (d.body === undefined) return { expect: verdict.expect };
  return { bytes: toJsonText(d.body), contentType: JSON_TYPE, expect: verdict.expect };
}

/** Builds the request a mutation makes of a valid request, and what the answer may be. */
export function applyMutation(
  op: Operation,
  recipe: Recipe,
  valid: ValidRequest,
  m: Mutation,
  ctx: RequestContext,
): FuzzRequest {
  const headers: Record<string, string> = { 'x-request-id': ctx.requestId };
  if (ctx.key) headers['x-api-key'] = ctx.key;
  if (recipe.idempotency !== 'ignored') headers['idempotency-key'] = ctx.idempotencyKey;
  const d: Draft = {
    op,
    recipe,
    valid,
    params: { ...(valid.params ?? {}) },
    query: { ...(valid.query ?? {}) },
    headers,
    body: structuredClone(valid.body) as Record<string, unknown> | undefined,
    signature: valid.signed ? null : 'none',
  };
  const verdict = mutate(d, m, ctx);
  const { bytes, contentType, expect } = payloadOf(d, verdict);
  if (contentType) headers['content-type'] = contentType;
  if (op.key === WEBHOOK) {
    signWebhookRequest(headers, typeof bytes === 'string' ? bytes : '', d.signature);
  }
  const url = fillPath(op.path, d.params) + queryString(d.query);
  const wire = { method: op.method, url, headers, payload: bytes };
  return { wire, expect, label: verdict.label };
}

function queryString(query: Record<string, string | string[]>): string {
  const parts = Object.entries(query).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((x) => `${encodeText(k)}=${encodeText(x)}`),
  );
  return parts.length ? `?${parts.join('&')}` : '';
}

/** encodeURIComponent, except that a lone surrogate is sent as its WTF-8 bytes (no UTF-8). */
export function encodeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0xd800 || code > 0xdfff) {
      out += encodeURIComponent(ch);
      continue;
    }
    const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  }
  return out;
}

/** Signs a webhook body as the PSP does, or breaks the signature as `variant` says. */
function signWebhookRequest(
  headers: Record<string, string>,
  raw: string,
  variant: SignatureVariant | null,
): void {
  if (variant === 'none') return;
  const now = Math.trunc(Date.now() / 1000);
  const timestamps: Partial<Record<SignatureVariant, string>> = {
    stale: String(now - WEBHOOK_STALE_S),
    'junk-timestamp': 'yesterday',
  };
  const timestamp = (variant && timestamps[variant]) ?? String(now);
  const secret = variant === 'other-secret' ? OTHER_WEBHOOK_SECRET : TEST_WEBHOOK_SECRET;
  let signature = signWebhook(secret, timestamp, raw);
  if (variant === 'wrong') signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  headers['x-psp-timestamp'] = timestamp;
  headers['x-psp-signature'] = signature;
}

type MadeBody = { payload: string | Buffer; contentType?: string; expect: Expectation };

/** A whole-body variant: its payload, content type, and whether it must be refused. */
function bodyVariant(
  op: Operation,
  valid: ValidRequest,
  variant: BodyVariant,
  pick: number,
  limitBytes: number,
): MadeBody {
  // GET bodies are not read; any other method's body is parsed before the route runs.
  const parses = op.method !== 'GET';
  const takesJson = Boolean(op.body) && op.key !== UPLOAD;
  const validText = valid.body !== undefined ? toJsonText(valid.body) : '{}';
  const made = (payload: string | Buffer, type: string | undefined, refused: boolean) => ({
    payload,
    contentType: type,
    expect: (refused ? 'reject' : 'any') as Expectation,
  });
  switch (variant) {
    case 'malformed':
      return made(MALFORMED_JSON[pick % MALFORMED_JSON.length]!, JSON_TYPE, parses);
    case 'non-object': {
      const takesObject = takesJson || NO_BODY_POSTS.has(op.key) || op.key === UPLOAD;
      return made(NON_OBJECTS[pick % NON_OBJECTS.length]!, JSON_TYPE, parses && takesObject);
    }
    case 'null':
      return made('null', JSON_TYPE, takesJson && (op.body?.schema.required ?? []).length > 0);
    case 'empty':
      return made('', JSON_TYPE, parses);
    case 'text/plain':
      return made(validText, 'text/plain', parses);
    case 'form-urlencoded':
      return made('amount=1.00&currency=USD', 'application/x-www-form-urlencoded', parses);
    case 'multipart': {
      const file = { name: 'file', filename: 'a.json', contentType: JSON_TYPE, body: validText };
      const part = multipart([file]);
      return made(part.payload, part.headers['content-type'], true);
    }
    case 'json-to-upload':
      return made(JSON.stringify({ file: 'aGVsbG8=' }), JSON_TYPE, true);
    case 'oversized':
      return oversized(op, limitBytes, parses);
    case 'deep':
      return made(DEEP_JSON, JSON_TYPE, parses);
    case 'proto':
      return made(PROTO_JSON, JSON_TYPE, parses);
    default:
      return uploadVariant(valid, variant);
  }
}

/** A body just above HTTP_BODY_LIMIT_BYTES (an upload: a file of junk that large). */
function oversized(op: Operation, limitBytes: number, parses: boolean): MadeBody {
  const filler = 'x'.repeat(limitBytes + 1024);
  if (op.key === UPLOAD) {
    const file = { name: 'file', filename: 'big.jpg', contentType: 'image/jpeg', body: filler };
    const part = multipart([file]);
    return { payload: part.payload, contentType: part.headers['content-type'], expect: 'reject' };
  }
  const expect = parses ? 'reject' : 'any';
  return { payload: JSON.stringify({ filler }), contentType: JSON_TYPE, expect };
}

function uploadVariant(valid: ValidRequest, variant: BodyVariant): MadeBody {
  const file = valid.upload!;
  const photo = (filename: string, body: Buffer, contentType = file.mime) => ({
    name: 'file',
    filename,
    contentType,
    body,
  });
  const parts = {
    'upload-junk': [photo('photo.jpg', Buffer.from('this is not a JPEG at all'), 'image/jpeg')],
    'upload-two-files': [photo('a.jpg', file.bytes), photo('b.jpg', file.bytes)],
    'upload-no-file': [{ name: 'note', body: 'no file here' }],
    'upload-empty-file': [photo('empty.jpg', Buffer.alloc(0), 'image/jpeg')],
    'upload-exotic-name': [photo('ab🙂cde\u202E.jpg', file.bytes)],
  }[variant as 'upload-junk'];
  const made = multipart(parts);
  // An odd file name is only a name: the upload may be accepted.
  const expect = variant === 'upload-exotic-name' ? 'any' : 'reject';
  return { payload: made.payload, contentType: made.headers['content-type']!, expect };
}
