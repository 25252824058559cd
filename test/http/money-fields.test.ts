/**
 * Money fields take decimal strings only (API-RULES.md §3, issue 12 point 5). A JSON number has
 * already been rounded through binary floating point when the body is parsed
 * (`99999999999999.999` arrives as 100000000000000), so every money field of every request body
 * refuses one: 422 VALIDATION_ERROR naming the field in `details.fields`, nothing appended.
 * The bodies below are otherwise valid, so the money field is the only complaint.
 */
import { randomUUID } from 'node:crypto';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { expectErrorEnvelope } from './http-expect';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const eventCount = async () =>
  Number((await api.t.tdb.pool.query('SELECT count(*) AS n FROM events')).rows[0].n);

/** Posts raw JSON text (so a number literal reaches the parser exactly as a client wrote it). */
const postRaw = (url: string, text: string, key = api.keys.admin) =>
  api.t.app.inject({
    method: 'POST',
    url,
    headers: {
      'x-api-key': key,
      'content-type': 'application/json',
      'idempotency-key': `k-${randomUUID()}`,
    },
    payload: text,
  });

describe('the issue’s example: "amount":99999999999999.999', () => {
  it('is 422 VALIDATION_ERROR naming the field wherever an amount is taken, and stores nothing', async () => {
    const id = await api.escrow();
    const before = await eventCount();
    const cases: [string, string, string][] = [
      [`/escrows/${id}/deposit`, '{"amount":99999999999999.999}', 'amount'],
      [
        `/escrows/${id}/milestones`,
        '{"label":"m","amount":99999999999999.999,"currency":"USD","sequence_index":1}',
        'amount',
      ],
      [
        '/escrows',
        `{"client_id":"${api.ids.client}","provider_id":"${api.ids.provider}","amount_total":99999999999999.999,` +
          '"currency":"USD","release_conditions":{},"deadline_at":"2099-12-31T00:00:00Z"}',
        'amount_total',
      ],
    ];
    for (const [url, text, field] of cases) {
      const error = expectErrorEnvelope(
        await postRaw(url, text, api.keys.client),
        422,
        'VALIDATION_ERROR',
      );
      expect(Object.keys(error.details?.fields as object)).toEqual([field]);
      expect((error.details?.fields as Record<string, string[]>)[field]).toEqual([
        expect.stringContaining('decimal string'),
      ]);
    }
    expect(await eventCount()).toBe(before);
  });

  it('is refused as a string too (too many digits), while a string at scale is taken as written', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    expectErrorEnvelope(
      await postRaw(`/escrows/${id}/deposit`, '{"amount":"99999999999999.999"}', api.keys.client),
      422,
      'AMOUNT_PRECISION',
    );
    const ok = await postRaw(`/escrows/${id}/deposit`, '{"amount":"12.34"}', api.keys.client);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().deposit.amount).toBe('12.34');
  });
});

describe('every money field of every body', () => {
  const uuid = () => randomUUID();
  const future = '2099-12-31T00:00:00Z';
  /** [route, a valid body, its money fields]. */
  const bodies = (): [string, Record<string, unknown>, string[]][] => [
    [
      '/escrows',
      {
        client_id: uuid(),
        provider_id: uuid(),
        amount_total: '1.00',
        currency: 'USD',
        release_conditions: {},
        deadline_at: future,
      },
      ['amount_total'],
    ],
    [
      `/escrows/${uuid()}/milestones`,
      { label: 'm', amount: '1.00', currency: 'USD', sequence_index: 1 },
      ['amount'],
    ],
    [`/escrows/${uuid()}/deposit`, { amount: '1.00' }, ['amount']],
    [
      '/mandates',
      {
        sender_id: uuid(),
        beneficiary_id: uuid(),
        total_amount: '1.00',
        currency: 'USD',
        expires_at: future,
      },
      ['total_amount'],
    ],
    [
      '/spend/purchases',
      { sender_id: uuid(), merchant_id: uuid(), amount: '1.00', currency: 'USD' },
      ['amount'],
    ],
    [
      '/spend/allowed',
      {
        escrow_id: uuid(),
        payee_ref: 'shop-1',
        label: 'Shop',
        daily_limit: '1.00',
        total_limit: '2.00',
      },
      ['daily_limit', 'total_limit'],
    ],
    ['/spend', { escrow_id: uuid(), payee_ref: 'shop-1', amount: '1.00' }, ['amount']],
    [
      '/transactions',
      { sender_id: uuid(), receiver_id: uuid(), amount: '1.00', currency: 'USD' },
      ['amount'],
    ],
  ];

  it.each([1, 1.5, 0, -2, 1e21])(
    'refuses the JSON number %p in each, naming only that field',
    async (n) => {
      const before = await eventCount();
      for (const [url, body, fields] of bodies()) {
        for (const field of fields) {
          const res = await api.call(
            'POST',
            url,
            api.keys.admin,
            { ...body, [field]: n },
            { 'idempotency-key': `k-${uuid()}` },
          );
          const error = expectErrorEnvelope(res, 422, 'VALIDATION_ERROR');
          expect({ url, fields: Object.keys(error.details?.fields as object) }).toEqual({
            url,
            fields: [field],
          });
        }
      }
      expect(await eventCount()).toBe(before);
    },
  );

  it('refuses a number as a milestone’s proof_requirements.expected_amount, and takes a string', async () => {
    const id = await api.escrow();
    const add = (expected: unknown, sequence: number) =>
      api.call('POST', `/escrows/${id}/milestones`, api.keys.client, {
        label: 'm',
        amount: '1.00',
        currency: 'USD',
        sequence_index: sequence,
        proof_kind: 'INVOICE',
        proof_requirements: { expected_amount: expected, expected_currency: 'USD' },
      });
    const before = await eventCount();
    const error = expectErrorEnvelope(await add(99999999999999.999, 1), 422, 'VALIDATION_ERROR');
    expect(error.details).toEqual({
      fields: {
        proof_requirements: [
          expect.stringContaining('proof_requirements.expected_amount must be a decimal string'),
        ],
      },
    });
    expect(await eventCount()).toBe(before);
    expect((await add('1.00', 1)).statusCode).toBe(201);
    expect((await add(null, 2)).statusCode).toBe(201);
  });

  it('still takes null (no limit) and an absent limit on the optional limits', async () => {
    const id = await api.escrow();
    for (const limits of [{ daily_limit: null, total_limit: null }, {}]) {
      const res = await api.call('POST', '/spend/allowed', api.keys.support, {
        escrow_id: id,
        payee_ref: `shop-${uuid().slice(0, 8)}`,
        label: 'Shop',
        ...limits,
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ daily_limit: null, total_limit: null });
    }
  });

  it('documents every money field as a string in /openapi.json', async () => {
    const doc = (await api.call('GET', '/openapi.json', null)).json();
    const schemas = doc.components.schemas as Record<
      string,
      { properties: Record<string, { type?: string }> }
    >;
    const money = ['amount', 'amount_total', 'total_amount', 'daily_limit', 'total_limit'];
    const seen: string[] = [];
    for (const [name, schema] of Object.entries(schemas)) {
      if (!name.endsWith('Body')) continue;
      for (const [prop, spec] of Object.entries(schema.properties ?? {})) {
        if (!money.includes(prop)) continue;
        seen.push(`${name}.${prop}`);
        expect({ at: `${name}.${prop}`, type: spec.type }).toEqual({
          at: `${name}.${prop}`,
          type: 'string',
        });
      }
    }
    expect(seen.length).toBeGreaterThanOrEqual(9);
  });
});
