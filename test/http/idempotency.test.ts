/**
 * Idempotency over HTTP (API-RULES.md §4), on the probe's two command shapes: a create on an id
 * derived from (scope, key), and a command on a stream named by the path. The same key and the
 * same request give the first answer and no new events; the same key with another body is 422
 * IDEMPOTENCY_KEY_REUSED; a key is 1–255 printable ASCII; the method and concrete path are part
 * of the scope; and a request rejected with a 4xx does not use up its key.
 */
import { limits } from '@kob/kernel';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';
import { storedEventCount } from '../support/stored-events';

interface Tally {
  id: string;
  currency: string;
  total: string;
  additions: number;
}

describe('Idempotency-Key over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  const eventCount = () => storedEventCount(t.platform);
  const post = (url: string, body: unknown, key?: string) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      payload: JSON.stringify(body),
    });
  const open = (currency: string, key?: string) => post('/probe/tallies', { currency }, key);
  const add = (id: string, amount: string, key?: string) =>
    post(`/probe/tallies/${id}/add`, { amount }, key);

  it('answers the same key and body with the first answer and appends nothing', async () => {
    const first = await open('USD', 'create-1');
    expect(first.statusCode).toBe(201);
    expect(first.headers['x-event-position']).toBeTruthy();
    const before = await eventCount();
    for (let i = 0; i < 3; i++) {
      const again = await open('USD', 'create-1');
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
    }
    expect(await eventCount()).toBe(before);
  });

  it('compares bodies as JSON values, not as bytes', async () => {
    const first = await post('/probe/tallies', { currency: 'USD', label: 'x' }, 'create-order');
    expect(first.statusCode).toBe(201);
    const before = await eventCount();
    const reordered = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'create-order' },
      payload: '{ "label" : "x",\n  "currency" : "USD" }',
    });
    expect(reordered.statusCode).toBe(201);
    expect(reordered.json()).toEqual(first.json());
    expect(await eventCount()).toBe(before);
  });

  it('gives parallel requests with one key one effect', async () => {
    const before = await eventCount();
    const answers = await Promise.all(Array.from({ length: 5 }, () => open('EUR', 'create-race')));
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json<Tally>().id)).size).toBe(1);
    // One reservation claim plus one tally.opened.v1, in one append.
    expect(await eventCount()).toBe(before + 2);
  });

  it('creates a new tally for each request without a key', async () => {
    const a = (await open('USD')).json<Tally>();
    const b = (await open('USD')).json<Tally>();
    expect(a.id).not.toBe(b.id);
    const blank = (await open('USD', '   ')).json<Tally>();
    expect([a.id, b.id]).not.toContain(blank.id);
  });

  it('answers the same key with another body by 422 IDEMPOTENCY_KEY_REUSED', async () => {
    expect((await open('USD', 'create-2')).statusCode).toBe(201);
    const before = await eventCount();
    expectErrorEnvelope(await open('EUR', 'create-2'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await eventCount()).toBe(before);
    // The first request still replays.
    expect((await open('USD', 'create-2')).json<Tally>().currency).toBe('USD');
  });

  it('replays a command on a path-named stream, and refuses its key with another body', async () => {
    const { id } = (await open('USD')).json<Tally>();
    const first = await add(id, '2.50', 'add-1');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ total: '2.50', additions: 1 });
    const before = await eventCount();
    const again = await add(id, '2.50', 'add-1');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await eventCount()).toBe(before);
    expectErrorEnvelope(await add(id, '3.00', 'add-1'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await eventCount()).toBe(before);
  });

  it('treats the same key on another path as another request', async () => {
    const a = (await open('USD', 'shared-key')).json<Tally>();
    const b = (await open('USD')).json<Tally>();
    const onA = await add(a.id, '1.00', 'shared-key');
    const onB = await add(b.id, '1.00', 'shared-key');
    expect(onA.statusCode).toBe(200);
    expect(onB.statusCode).toBe(200);
    expect(onA.json()).toMatchObject({ id: a.id, total: '1.00', additions: 1 });
    expect(onB.json()).toMatchObject({ id: b.id, total: '1.00', additions: 1 });
    // A different body on one path is still refused there, and does not disturb the other.
    expectErrorEnvelope(await add(a.id, '9.00', 'shared-key'), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect((await add(b.id, '1.00', 'shared-key')).json()).toMatchObject({ additions: 1 });
  });

  it('does not use up a key on a request rejected with a 4xx', async () => {
    expectErrorEnvelope(await open('XXX', 'create-3'), 422, 'VALIDATION_ERROR');
    expect((await open('EUR', 'create-3')).statusCode).toBe(201);
    const { id } = (await open('USD')).json<Tally>();
    expectErrorEnvelope(await add(id, '1.005', 'add-2'), 422, 'AMOUNT_PRECISION');
    const ok = await add(id, '1.25', 'add-2');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ total: '1.25', additions: 1 });
  });

  it('accepts a key of 255 printable ASCII characters', async () => {
    const key = `${'k'.repeat(limits.idempotencyKeyLengthMax - 2)} ~`;
    expect(key).toHaveLength(255);
    const first = await open('USD', key);
    expect(first.statusCode).toBe(201);
    expect((await open('USD', key)).json()).toEqual(first.json());
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['a control character', 'key\x01one'],
    ['a tab', 'key\tone'],
    ['DEL', 'key\x7f'],
    ['non-ASCII', 'clé'],
  ])('refuses a key with %s by 422 and appends nothing', async (_what, key) => {
    const before = await eventCount();
    const error = expectErrorEnvelope(await open('USD', key), 422, 'VALIDATION_ERROR');
    expect(error.details).toEqual({ fields: { 'Idempotency-Key': [expect.any(String)] } });
    expect(await eventCount()).toBe(before);
  });

  it('scopes by the path the router understood, however the client encoded it', async () => {
    const opened = (await open('USD')).json() as Tally;
    const first = await add(opened.id, '3.00', 'add-encoded');
    expect(first.statusCode).toBe(200);
    const before = await eventCount();
    // The same escrow-like id with one character percent-encoded: the same route and stream.
    const i = opened.id.search(/[a-f]/);
    const encoded = `${opened.id.slice(0, i)}%${opened.id.charCodeAt(i).toString(16)}${opened.id.slice(i + 1)}`;
    const again = await post(`/probe/tallies/${encoded}/add`, { amount: '3.00' }, 'add-encoded');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await eventCount()).toBe(before);
  });

  it('counts the query string as part of the request', async () => {
    const opened = (await open('USD')).json() as Tally;
    expect((await add(opened.id, '1.00', 'add-query')).statusCode).toBe(200);
    const other = await post(
      `/probe/tallies/${opened.id}/add?note=x`,
      { amount: '1.00' },
      'add-query',
    );
    expectErrorEnvelope(other, 422, 'IDEMPOTENCY_KEY_REUSED');
  });
});
