/**
 * Request ids and CORS (API-RULES.md §6). Every answer carries `X-Request-Id`: the client's own
 * when it is a sane token, a fresh one otherwise (an id that is too long or has spaces or control
 * characters would pollute logs and correlation ids). Browsers from a CORS_ALLOW_ORIGINS origin may
 * send the API's request headers and read its response headers; any other origin gets no grant.
 * A preflight that is refused (origin, method or header not allowed, or not a preflight at all)
 * is answered in the error envelope with the request id, like any other error.
 */
import { randomUUID } from 'node:crypto';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

const ALLOWED_ORIGIN = 'https://app.example.test';
const OTHER_ALLOWED_ORIGIN = 'http://localhost:5173';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function headerList(value: string | string[] | number | undefined): string[] {
  return String(value ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}

describe('X-Request-Id', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  const health = (headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/health', headers });

  it('echoes a sane id the client sent, on success and on error', async () => {
    const id = `client-${randomUUID()}`;
    expect((await health({ 'x-request-id': id })).headers['x-request-id']).toBe(id);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/nope',
      headers: { 'x-request-id': 'trace:abc.123_x-y' },
    });
    expectErrorEnvelope(missing, 404, 'ROUTE_NOT_FOUND');
    expect(missing.headers['x-request-id']).toBe('trace:abc.123_x-y');
  });

  it('generates a distinct id when the client sent none', async () => {
    const a = (await health()).headers['x-request-id'];
    const b = (await health()).headers['x-request-id'];
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
  });

  it.each([
    ['500 characters', 'a'.repeat(500)],
    ['spaces', 'my request id'],
    ['a quote and braces', 'id"}{'],
    ['non-ASCII', 'idé'],
    ['nothing', ''],
  ])('replaces an id with %s by a generated one', async (_what, given) => {
    const res = await health({ 'x-request-id': given });
    expect(res.headers['x-request-id']).toMatch(UUID);
    expect(res.headers['x-request-id']).not.toBe(given);
  });

  it('puts the request id in the request logs', async () => {
    const id = `log-probe-${randomUUID()}`;
    await health({ 'x-request-id': id });
    const lines = t.logs
      .filter((l) => l.includes(id))
      .map((l) => JSON.parse(l) as { reqId?: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.reqId).toBe(id);
  });
});

describe('CORS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      controllers: [ProbeController],
      env: { CORS_ALLOW_ORIGINS: `${ALLOWED_ORIGIN}, ${OTHER_ALLOWED_ORIGIN}` },
    });
  });
  afterAll(() => t.close());

  const preflight = (origin: string, requestHeaders: string) =>
    t.app.inject({
      method: 'OPTIONS',
      url: '/probe/tallies',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': requestHeaders,
      },
    });

  it('lets an allowed origin send the API request headers', async () => {
    for (const origin of [ALLOWED_ORIGIN, OTHER_ALLOWED_ORIGIN]) {
      const res = await preflight(
        origin,
        'content-type,idempotency-key,x-api-key,x-min-event-position,authorization',
      );
      expect(res.statusCode).toBeLessThan(300);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(headerList(res.headers['access-control-allow-methods'])).toEqual(
        expect.arrayContaining(['get', 'post', 'patch', 'delete']),
      );
      expect(headerList(res.headers['access-control-allow-headers'])).toEqual(
        expect.arrayContaining([
          'idempotency-key',
          'x-api-key',
          'x-min-event-position',
          'authorization',
          'content-type',
          'x-request-id',
        ]),
      );
      expect(headerList(res.headers.vary)).toContain('origin');
    }
  });

  it('exposes X-Request-Id and X-Event-Position on actual responses', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { origin: ALLOWED_ORIGIN, 'content-type': 'application/json' },
      payload: JSON.stringify({ currency: 'USD' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(headerList(res.headers['access-control-expose-headers'])).toEqual(
      expect.arrayContaining(['x-request-id', 'x-event-position', 'x-projection-pending']),
    );
    expect(res.headers['x-event-position']).toBeTruthy();
  });

  it('grants CORS on error answers too, so a browser can read the envelope', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { origin: ALLOWED_ORIGIN, 'content-type': 'application/json' },
      payload: '{',
    });
    expectErrorEnvelope(res, 400, 'MALFORMED_JSON');
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(headerList(res.headers['access-control-expose-headers'])).toContain('x-request-id');
  });

  it('gives an origin that is not allowed no grant', async () => {
    for (const origin of ['https://evil.example.test', `${ALLOWED_ORIGIN}.evil.test`, 'null']) {
      const pre = await preflight(origin, 'x-api-key');
      expect(pre.headers['access-control-allow-origin']).toBeUndefined();
      const res = await t.app.inject({ method: 'GET', url: '/health', headers: { origin } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });
});

describe('CORS preflights that are refused', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      controllers: [ProbeController],
      env: { CORS_ALLOW_ORIGINS: `${ALLOWED_ORIGIN}, ${OTHER_ALLOWED_ORIGIN}` },
    });
  });
  afterAll(() => t.close());

  const options = (headers: Record<string, string>, url = '/probe/tallies') =>
    t.app.inject({
      method: 'OPTIONS',
      url,
      headers: { 'x-request-id': 'preflight-1', ...headers },
    });

  /** A refusal: the envelope, the request id, no grant a browser could use. */
  const expectRefused = (
    res: Awaited<ReturnType<typeof options>>,
    status: number,
    code: string,
  ) => {
    const error = expectErrorEnvelope(res, status, code);
    expect(res.headers['x-request-id']).toBe('preflight-1');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-methods']).toBeUndefined();
    return error;
  };

  it('answers an origin that is not allowed 403 CORS_ORIGIN_NOT_ALLOWED in the envelope', async () => {
    for (const origin of ['https://evil.example.test', `${ALLOWED_ORIGIN}.evil.test`, 'null']) {
      expectRefused(
        await options({ origin, 'access-control-request-method': 'GET' }),
        403,
        'CORS_ORIGIN_NOT_ALLOWED',
      );
    }
  });

  it('answers a method that is not allowed 403 CORS_METHOD_NOT_ALLOWED, naming the allowed ones', async () => {
    for (const method of ['TRACE', 'CONNECT', 'get', 'PROPFIND']) {
      const error = expectRefused(
        await options({ origin: ALLOWED_ORIGIN, 'access-control-request-method': method }),
        403,
        'CORS_METHOD_NOT_ALLOWED',
      );
      expect(error.details).toMatchObject({
        allowed_methods: expect.arrayContaining(['GET', 'POST', 'DELETE']),
      });
    }
  });

  it('answers headers that are not allowed 403 CORS_HEADER_NOT_ALLOWED, naming them', async () => {
    const error = expectRefused(
      await options({
        origin: ALLOWED_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-evil,x-api-key,cookie',
      }),
      403,
      'CORS_HEADER_NOT_ALLOWED',
    );
    expect(error.details).toMatchObject({ headers_not_allowed: ['x-evil', 'cookie'] });
  });

  it('answers an OPTIONS that is not a preflight 400 CORS_PREFLIGHT_INVALID', async () => {
    expectRefused(await options({}), 400, 'CORS_PREFLIGHT_INVALID');
    expectRefused(await options({ origin: ALLOWED_ORIGIN }), 400, 'CORS_PREFLIGHT_INVALID');
    expectRefused(
      await options({ 'access-control-request-method': 'GET' }, '/health'),
      400,
      'CORS_PREFLIGHT_INVALID',
    );
  });

  it('still grants a good preflight, with the request id, on a known route and an unknown one', async () => {
    for (const url of ['/probe/tallies', '/nope']) {
      const res = await options(
        {
          origin: ALLOWED_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'accept,content-type',
        },
        url,
      );
      expect(res.statusCode).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
      expect(res.headers['x-request-id']).toBe('preflight-1');
    }
  });
});

describe('CORS without CORS_ALLOW_ORIGINS', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('grants no origin at all', async () => {
    const res = await t.app.inject({
      method: 'OPTIONS',
      url: '/health',
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'GET' },
    });
    expectErrorEnvelope(res, 403, 'CORS_ORIGIN_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: ALLOWED_ORIGIN },
    });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });
});
