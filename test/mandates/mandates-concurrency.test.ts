/**
 * Contention on one mandate (API-RULES.md §5): parallel purchases queue on the mandate's stream
 * in this process and each gets its business answer, never a spurious conflict: exactly the
 * affordable number succeed, the rest 409 MANDATE_LIMIT_EXCEEDED, the total spent is exactly
 * the total and the mandate CONSUMED. Parallel retries under one key make one purchase.
 */
import { randomUUID } from 'node:crypto';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  allow,
  caughtUp,
  createMandate,
  newCategory,
  newMerchant,
  newUser,
  slotEvents,
  streamEvents,
} from './mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

async function world(total: string, currency = 'USD') {
  const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
  const merchant = await newMerchant(api, await newCategory(api));
  await allow(api, b.id, { merchantId: merchant });
  const mandate = await createMandate(api, s, b.id, { total_amount: total, currency });
  const buy = (amount: string, idemKey = randomUUID()) =>
    api.call(
      'POST',
      '/spend/purchases',
      b.key,
      { sender_id: s.id, beneficiary_id: b.id, merchant_id: merchant, amount, currency },
      { 'idempotency-key': idemKey },
    );
  return { s, b, mandate, buy };
}

it('12 parallel purchases at the limit: exactly the affordable 10 succeed, 2 get 409 MANDATE_LIMIT_EXCEEDED', async () => {
  const w = await world('100.00');
  const answers = await Promise.all(Array.from({ length: 12 }, () => w.buy('10.00')));
  const codes = answers.map((r) =>
    r.statusCode === 201 ? 201 : `${r.statusCode} ${r.json().error.code}`,
  );
  expect(codes.filter((c) => c === 201)).toHaveLength(10);
  expect(codes.filter((c) => c !== 201)).toEqual([
    '409 MANDATE_LIMIT_EXCEEDED',
    '409 MANDATE_LIMIT_EXCEEDED',
  ]);
  expect(new Set(answers.filter((r) => r.statusCode === 201).map((r) => r.json().id)).size).toBe(
    10,
  );
  expect((await api.call('GET', `/mandates/${w.mandate.id}`, w.s.key)).json()).toMatchObject({
    status: 'CONSUMED',
    total_spent: '100.00',
  });
  const events = await streamEvents(api, `mandate-${w.mandate.id}`);
  expect(events.filter((e) => e.type === 'mandate.purchase_recorded.v1')).toHaveLength(10);
  expect(events.at(-1)!.type).toBe('mandate.consumed.v1');
  // The slot was released in the append that consumed the mandate.
  const slot = await slotEvents(api, w.s.id, w.b.id);
  expect(slot.map((e) => [e.type, e.tx === events.at(-1)!.tx])).toEqual([
    ['reservation.claimed.v1', false],
    ['reservation.released.v1', true],
  ]);
  await caughtUp(api);
  const list = (await api.call('GET', `/mandates?sender_id=${w.s.id}`, api.keys.support)).json()
    .items;
  expect(list).toMatchObject([{ status: 'CONSUMED', total_spent: '100.00' }]);
  expect(
    (await api.call('GET', `/spend/purchases?mandate_id=${w.mandate.id}`, api.keys.support)).json()
      .total,
  ).toBe(10);
  // The slot was released with the consumption: a new mandate needs no replacement.
  expect((await createMandate(api, w.s, w.b.id)).status).toBe('ACTIVE');
});

it('uneven parallel purchases never pass the total (JPY)', async () => {
  const w = await world('1000', 'JPY');
  const amounts = ['300', '300', '300', '300', '100', '100', '50', '50'];
  const answers = await Promise.all(amounts.map((a) => w.buy(a)));
  const spent = answers.reduce(
    (sum, r, i) => sum + (r.statusCode === 201 ? Number(amounts[i]) : 0),
    0,
  );
  for (const r of answers) expect([201, 409]).toContain(r.statusCode);
  const mandate = (await api.call('GET', `/mandates/${w.mandate.id}`, w.s.key)).json();
  expect(mandate.total_spent).toBe(String(spent));
  expect(spent).toBeLessThanOrEqual(1000);
  expect(mandate.status).toBe(spent === 1000 ? 'CONSUMED' : 'ACTIVE');
});

it('parallel retries under one key make one purchase and all answer it', async () => {
  const w = await world('100.00');
  const idemKey = randomUUID();
  const answers = await Promise.all(Array.from({ length: 8 }, () => w.buy('10.00', idemKey)));
  expect(answers.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
  expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
  expect(
    (await streamEvents(api, `mandate-${w.mandate.id}`)).filter(
      (e) => e.type === 'mandate.purchase_recorded.v1',
    ),
  ).toHaveLength(1);
});
