/**
 * Every error leaves the API in one envelope, `{"error":{"code","message","details"?}}`, as JSON
 * with an `X-Request-Id` (API-RULES.md §6): unknown routes, unreadable or oversized bodies,
 * unsupported content types and validation failures are 4xx with stable codes; only a bug is a
 * 500, answered in the same envelope without its details and logged with its stack.
 */
import { PROBE_BUG_MESSAGE, ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

const BODY_LIMIT_BYTES = 2048;
const JSON_HEADERS = { 'content-type': 'application/json' };

describe('error envelope', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      controllers: [ProbeController],
      env: { HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) },
    });
  });
  afterAll(() => t.close());

  const openTally = (payload: string, headers: Record<string, string> = JSON_HEADERS) =>
    t.app.inject({ method: 'POST', url: '/probe/tallies', headers, payload });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND', async () => {
    expectErrorEnvelope(
      await t.app.inject({ method: 'GET', url: '/nope' }),
      404,
      'ROUTE_NOT_FOUND',
    );
    const post = await t.app.inject({ method: 'POST', url: '/nope/deeper', payload: {} });
    expectErrorEnvelope(post, 404, 'ROUTE_NOT_FOUND');
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    expectErrorEnvelope(await openTally('{"currency": "USD"'), 400, 'MALFORMED_JSON');
    expectErrorEnvelope(await openTally('{currency: USD}'), 400, 'MALFORMED_JSON');
  });

  it('answers an empty body sent as JSON with 400 MALFORMED_JSON, not a 500', async () => {
    expectErrorEnvelope(await openTally(''), 400, 'MALFORMED_JSON');
    expectErrorEnvelope(await openTally('   '), 400, 'MALFORMED_JSON');
  });

  it('refuses a prototype-poisoning body as MALFORMED_JSON', async () => {
    const poisoned = '{"currency":"USD","__proto__":{"admin":true}}';
    expectErrorEnvelope(await openTally(poisoned), 400, 'MALFORMED_JSON');
  });

  it('accepts JSON with a charset parameter', async () => {
    const res = await openTally(JSON.stringify({ currency: 'EUR' }), {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.statusCode).toBe(201);
  });

  it('answers a body above HTTP_BODY_LIMIT_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const payload = JSON.stringify({ currency: 'USD', label: 'x'.repeat(BODY_LIMIT_BYTES) });
    expectErrorEnvelope(await openTally(payload), 413, 'PAYLOAD_TOO_LARGE');
    const fits = JSON.stringify({ currency: 'USD', label: 'x'.repeat(BODY_LIMIT_BYTES / 2) });
    expect((await openTally(fits)).statusCode).toBe(201);
  });

  it('answers a validation failure with 422 VALIDATION_ERROR naming the field', async () => {
    const error = expectErrorEnvelope(
      await openTally(JSON.stringify({ currency: 'dollars' })),
      422,
      'VALIDATION_ERROR',
    );
    expect(error.details).toEqual({ fields: { currency: [expect.any(String)] } });
    const missing = expectErrorEnvelope(await openTally('{}'), 422, 'VALIDATION_ERROR');
    expect(Object.keys(missing.details?.fields as object)).toEqual(['currency']);
  });

  it('answers a wrong type in a body with 422, and a JSON array body with 422', async () => {
    const error = expectErrorEnvelope(
      await openTally(JSON.stringify({ currency: 840 })),
      422,
      'VALIDATION_ERROR',
    );
    expect(error.details).toEqual({ fields: { currency: expect.any(Array) } });
    expectErrorEnvelope(await openTally('[]'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await openTally('"USD"'), 422, 'VALIDATION_ERROR');
  });

  it('answers an unknown extra field with 422 VALIDATION_ERROR naming it', async () => {
    const res = await openTally(JSON.stringify({ currency: 'USD', admin: true }));
    const error = expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
    expect(error.details).toEqual({ fields: { admin: [expect.any(String)] } });
  });

  it('answers a rule broken in the domain with its own code', async () => {
    const open = await openTally(JSON.stringify({ currency: 'USD' }));
    expect(open.statusCode).toBe(201);
    const id = open.json<{ id: string }>().id;
    const add = (amount: string) =>
      t.app.inject({
        method: 'POST',
        url: `/probe/tallies/${id}/add`,
        headers: JSON_HEADERS,
        payload: JSON.stringify({ amount }),
      });
    expectErrorEnvelope(await add('1.005'), 422, 'AMOUNT_PRECISION');
    expectErrorEnvelope(await add('0'), 422, 'VALIDATION_ERROR');
    expect((await add('1.05')).json()).toMatchObject({ id, total: '1.05', additions: 1 });
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies/00000000-0000-4000-8000-000000000000/add',
      headers: JSON_HEADERS,
      payload: JSON.stringify({ amount: '1.00' }),
    });
    expectErrorEnvelope(unknown, 404, 'TALLY_NOT_FOUND');
  });

  it('answers an invalid path parameter with a 4xx envelope, not a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies/not-a-uuid/add',
      headers: JSON_HEADERS,
      payload: JSON.stringify({ amount: '1.00' }),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expectErrorEnvelope(res, res.statusCode, res.json<{ error: { code: string } }>().error.code);
  });

  // The API speaks JSON only: form and text bodies used to be parsed and reach the handlers.
  it('answers an unsupported content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const xml = await openTally('<currency>USD</currency>', { 'content-type': 'application/xml' });
    expectErrorEnvelope(xml, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await openTally('currency=USD', { 'content-type': 'text/plain' });
    expectErrorEnvelope(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = await openTally('currency=USD', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expectErrorEnvelope(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it.each([
    ['a plain Error', 'plain'],
    ["an error with another service's statusCode", 'upstream'],
    ['a 5xx HttpException', 'http-500'],
  ])('answers a bug (%s) with 500 INTERNAL_ERROR, hides it, and logs it', async (_what, kind) => {
    const reqId = `boom-${kind}`;
    const res = await t.app.inject({
      method: 'GET',
      url: `/probe/boom/${kind}`,
      headers: { 'x-request-id': reqId },
    });
    const error = expectErrorEnvelope(res, 500, 'INTERNAL_ERROR');
    expect(error.details).toBeUndefined();
    expect(res.body).not.toContain(PROBE_BUG_MESSAGE);
    expect(res.headers['x-request-id']).toBe(reqId);
    const logged = t.logs
      .map(
        (line) => JSON.parse(line) as { level: number; reqId?: string; err?: { stack?: string } },
      )
      .filter((l) => l.level === 50 && l.reqId === reqId);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.err?.stack).toContain(PROBE_BUG_MESSAGE);
  });

  // Fastify answers these before routing, where no hook or Nest filter runs.
  it('answers a URL with bad percent-encoding with 400 MALFORMED_URL', async () => {
    for (const url of ['/probe/tallies/%zz/add', '/%E0%A4%A']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...JSON_HEADERS, 'x-request-id': 'bad-url-1' },
        payload: '{"amount":"1.00"}',
      });
      expectErrorEnvelope(res, 400, 'MALFORMED_URL');
      expect(res.headers['x-request-id']).toBe('bad-url-1');
    }
  });

  it('answers an overlong path parameter with 414 URI_TOO_LONG', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/probe/tallies/${'a'.repeat(500)}/add`,
      headers: JSON_HEADERS,
      payload: '{"amount":"1.00"}',
    });
    expectErrorEnvelope(res, 414, 'URI_TOO_LONG');
  });

  it('logs no error line for the 4xx answers', () => {
    const errors = t.logs
      .map((line) => JSON.parse(line) as { level: number; msg?: string; reqId?: string })
      .filter((l) => l.level >= 50);
    expect(errors.map((l) => l.reqId)).toEqual(['boom-plain', 'boom-upstream', 'boom-http-500']);
  });
});
