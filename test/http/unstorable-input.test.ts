/**
 * JSON that parses but cannot be stored or hashed faithfully (NUL characters and lone surrogates
 * that PostgreSQL's JSONB refuses, numbers out of range, absurd nesting) is refused at the edge
 * with a 422 naming the field, never a 500 from deep inside, and nothing is appended.
 */
import { sql } from 'kysely';
import { ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

describe('unstorable JSON values', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  const send = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { 'content-type': 'application/json' },
      payload,
    });
  const events = async () =>
    Number(
      (await sql<{ n: string }>`SELECT count(*)::text AS n FROM events`.execute(t.platform.db))
        .rows[0]?.n,
    );

  it.each([
    ['a NUL character', '{"currency":"US\\u0000D"}', 'currency', /NUL/],
    ['a lone surrogate', '{"currency":"\\ud800"}', 'currency', /surrogate/],
    ['a number out of range', '{"currency":1e999}', 'currency', /out of range/],
    ['a NUL in a field name', '{"a\\u0000b":"x"}', 'a\u0000b', /field name/],
    ['nesting too deep', `{"x":${'['.repeat(40)}${']'.repeat(40)}}`, undefined, /deeper/],
  ])('refuses %s with 422 and appends nothing', async (_what, payload, field, reason) => {
    const before = await events();
    const res = await send(payload);
    const error = expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
    const fields = (error.details as { fields: Record<string, string[]> }).fields;
    const [name, messages] = Object.entries(fields)[0]!;
    if (field) expect(name).toBe(field);
    expect(messages.join(' ')).toMatch(reason);
    expect(await events()).toBe(before);
  });

  it('still accepts ordinary unicode, including astral characters', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/probe/tallies',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ currency: 'USD', label: 'Kinshasa 🇨🇩 — café' }),
    });
    expect(res.statusCode).toBe(201);
  });
});
