/**
 * Idempotency (API-RULES.md §4) and alerts (§6) on the routes whose target is chosen by the body:
 * the same key naming another escrow is 422 IDEMPOTENCY_KEY_REUSED (POST /spend/allowed
 * included); an exact replay of a refused request raises no second alert, but another refused
 * request under the same key (another payee, another receiver) is another attempt, alerted.
 */
import { randomBytes } from 'node:crypto';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { allEventCount, fundedEscrow } from '../support/escrow-api-extra';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const k = () => `probe-${randomBytes(6).toString('hex')}`;

async function alertsOf(type: string): Promise<Record<string, any>[]> {
  const res = await api.call('GET', `/alerts?type=${type}&limit=200`, api.keys.support);
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

it('POST /spend/allowed: the same key with a body naming another escrow is 422 IDEMPOTENCY_KEY_REUSED (§4), not a second payee', async () => {
  const a = await fundedEscrow(api, { total: '10.00' });
  const b = await fundedEscrow(api, { total: '10.00' });
  const key = k();
  const first = await api.call(
    'POST',
    '/spend/allowed',
    api.keys.support,
    { escrow_id: a.id, payee_ref: 'shop-a', label: 'Shop' },
    { 'idempotency-key': key },
  );
  expect(first.statusCode).toBe(201);
  const before = await allEventCount(api);
  const second = await api.call(
    'POST',
    '/spend/allowed',
    api.keys.support,
    { escrow_id: b.id, payee_ref: 'shop-a', label: 'Shop' },
    { 'idempotency-key': key },
  );
  expect({ status: second.statusCode, code: second.json().error?.code }).toEqual({
    status: 422,
    code: 'IDEMPOTENCY_KEY_REUSED',
  });
  expect(await allEventCount(api)).toBe(before);
});

it('POST /spend: two different refused spends under one key raise two alerts (the second refusal is not a replay)', async () => {
  const { id } = await fundedEscrow(api, { total: '10.00' });
  const key = k();
  const before = (await alertsOf('USAGE_PAYEE_FORBIDDEN')).length;
  const r1 = await api.call(
    'POST',
    '/spend',
    api.keys.client,
    { escrow_id: id, payee_ref: 'nope-1', amount: '1.00' },
    { 'idempotency-key': key },
  );
  const r2 = await api.call(
    'POST',
    '/spend',
    api.keys.client,
    { escrow_id: id, payee_ref: 'nope-2', amount: '1.00' },
    { 'idempotency-key': key },
  );
  expect([r1.statusCode, r2.statusCode]).toEqual([403, 403]);
  const after = await alertsOf('USAGE_PAYEE_FORBIDDEN');
  expect(after.length - before).toBe(2);
});

it('POST /transactions: probing several receivers under one key alerts on each attempt', async () => {
  const users: string[] = [];
  for (let i = 0; i < 3; i++) {
    const tag = randomBytes(4).toString('hex');
    users.push(
      (
        await api.call('POST', '/users', api.keys.admin, {
          username: `t-${tag}`,
          email: `t-${tag}@example.org`,
        })
      ).json().id,
    );
  }
  const key = k();
  const before = (await alertsOf('UNAUTHORIZED_TRANSFER_ATTEMPT')).length;
  for (const receiver of users.slice(1)) {
    const res = await api.call(
      'POST',
      '/transactions',
      api.keys.admin,
      { sender_id: users[0], receiver_id: receiver, amount: '1.00' },
      { 'idempotency-key': key },
    );
    expect(res.statusCode).toBe(403);
  }
  expect((await alertsOf('UNAUTHORIZED_TRANSFER_ATTEMPT')).length - before).toBe(2);
});

it('KEY_HAS_NO_USER on every party/own route of the issue', async () => {
  const created = await api.call('POST', '/apikeys', api.keys.admin, {
    name: 'nouser',
    scope: 'sender',
  });
  expect(created.statusCode).toBe(201);
  const nokey = created.json().key as string;
  const { id } = await fundedEscrow(api, { total: '10.00' });
  const mandate = await api.call('POST', '/mandates', api.keys.client, {
    sender_id: api.ids.client,
    beneficiary_id: api.ids.provider,
    total_amount: '10.00',
    currency: 'USD',
    expires_at: '2099-01-01T00:00:00Z',
  });
  expect(mandate.statusCode).toBe(201);
  const calls: [string, string, unknown?][] = [
    ['GET', '/mandates'],
    ['GET', `/mandates/${mandate.json().id}`],
    [
      'POST',
      '/mandates',
      {
        sender_id: api.ids.client,
        beneficiary_id: api.ids.provider,
        total_amount: '10.00',
        currency: 'USD',
        expires_at: '2099-01-01T00:00:00Z',
      },
    ],
    ['GET', '/spend/purchases'],
    [
      'POST',
      '/spend/purchases',
      {
        sender_id: api.ids.client,
        beneficiary_id: api.ids.provider,
        merchant_id: '00000000-0000-4000-8000-000000000000',
        amount: '1.00',
        currency: 'USD',
      },
    ],
    ['GET', `/escrows/${id}/payees`],
    ['POST', '/spend', { escrow_id: id, payee_ref: 'ab', amount: '1.00' }],
  ];
  const got = [];
  for (const [m, url, body] of calls) {
    const res = await api.call(m as 'GET' | 'POST', url, nokey, body, { 'idempotency-key': k() });
    got.push(
      `${m} ${url.split('/').slice(0, 3).join('/')} ${res.statusCode} ${res.json().error?.code}`,
    );
  }
  expect(got.filter((g) => !g.endsWith('403 KEY_HAS_NO_USER'))).toEqual([]);
});
