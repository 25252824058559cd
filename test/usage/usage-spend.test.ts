/**
 * Allowed payees and usage spends over HTTP (API-RULES.md §1, §3, §6; KOBATELA-SPEC §2.9):
 * `POST /spend/allowed`, `GET /escrows/{id}/payees`, `POST /spend`. A spend is a payment of kind
 * `spend` (initiated, sent through the PSP, posted to `payee:{E}:{ref}:payable`, counted in the
 * escrow's `spent`); its id comes from (scope, Idempotency-Key), so a retry answers the first
 * spend. Each rule's refusal answers its code and raises exactly one alert and nothing else, and
 * a replay raises none; a refused request does not use up its key. Parallel spends at the daily
 * limit, the total limit and the balance never exceed them. The audit trail names who did what.
 */
import { randomBytes } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  allEventCount,
  escrowEventTypes,
  expectBalancesSum,
  fundedEscrow,
  withPspMode,
} from '../support/escrow-api-extra';

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const key = () => `spend-${randomBytes(6).toString('hex')}`;

function allow(
  escrowId: string,
  payeeRef: string,
  limits: { daily_limit?: string | null; total_limit?: string | null } = {},
  as = api.keys.support,
) {
  return api.call('POST', '/spend/allowed', as, {
    escrow_id: escrowId,
    payee_ref: payeeRef,
    label: `Payee ${payeeRef}`,
    ...limits,
  });
}

function spend(
  escrowId: string,
  payeeRef: string,
  amount: string,
  idem = key(),
  as = api.keys.client,
  extra: Record<string, unknown> = {},
) {
  return api.call(
    'POST',
    '/spend',
    as,
    { escrow_id: escrowId, payee_ref: payeeRef, amount, ...extra },
    { 'idempotency-key': idem },
  );
}

async function alertsOf(type: string): Promise<Record<string, any>[]> {
  const res = await api.call('GET', `/alerts?type=${type}&limit=200`, api.keys.support);
  expect(res.statusCode).toBe(200);
  return res.json().items;
}

describe('POST /spend/allowed and GET /escrows/{id}/payees', () => {
  it('allows a payee with limits at the currency scale and lists it to the parties and staff', async () => {
    const { id } = await fundedEscrow(api, { total: '100.00' });
    const res = await allow(id, 'shop-1', { daily_limit: '50', total_limit: '80' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      escrow_id: id,
      payee_ref: 'shop-1',
      label: 'Payee shop-1',
      currency: 'USD',
      daily_limit: '50.00',
      total_limit: '80.00',
      spent_total: '0.00',
      spent_today: '0.00',
    });
    expect(await allow(id, 'shop-2')).toMatchObject({ statusCode: 201 });
    for (const as of [
      api.keys.client,
      api.keys.provider,
      api.keys.support,
      api.keys.auditor,
      api.keys.admin,
    ]) {
      const list = await api.call('GET', `/escrows/${id}/payees`, as);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({ total: 2, limit: 50, offset: 0 });
      expect(list.json().items.map((p: { payee_ref: string }) => p.payee_ref)).toEqual([
        'shop-1',
        'shop-2',
      ]);
    }
    expectErrorEnvelope(
      await api.call('GET', `/escrows/${id}/payees`, api.keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    const page = await api.call('GET', `/escrows/${id}/payees?limit=1&offset=1`, api.keys.client);
    expect(page.json()).toMatchObject({
      total: 2,
      limit: 1,
      offset: 1,
      items: [{ payee_ref: 'shop-2' }],
    });
  });

  it('refuses a payee already allowed (409), an unknown escrow (404) and a closed one (409), storing nothing', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    expect((await allow(id, 'dup-1')).statusCode).toBe(201);
    const before = await allEventCount(api);
    expectErrorEnvelope(await allow(id, 'dup-1'), 409, 'PAYEE_ALREADY_ALLOWED');
    expectErrorEnvelope(
      await allow('00000000-0000-4000-8000-000000000000', 'dup-1'),
      404,
      'ESCROW_NOT_FOUND',
    );
    expectErrorEnvelope(
      await api.call(
        'GET',
        '/escrows/00000000-0000-4000-8000-000000000000/payees',
        api.keys.support,
      ),
      404,
      'ESCROW_NOT_FOUND',
    );
    const rejected = await api.escrow();
    expect(
      (await api.call('POST', `/escrows/${rejected}/client-reject`, api.keys.client, {}))
        .statusCode,
    ).toBe(200);
    const mid = await allEventCount(api);
    expectErrorEnvelope(await allow(rejected, 'late-1'), 409, 'ESCROW_CLOSED');
    expect(await allEventCount(api)).toBe(mid);
    expect(mid - before).toBeGreaterThan(0);
  });

  it.each([
    ['a missing label', { label: undefined }],
    ['a one-character ref', { payee_ref: 'x' }],
    ['a ref with spaces', { payee_ref: 'corner shop' }],
    ['a zero limit', { daily_limit: '0' }],
    ['a negative limit', { total_limit: '-5' }],
    ['an over-precise limit', { daily_limit: '1.001' }],
    ['a non-uuid escrow', { escrow_id: 'nope' }],
    ['an unknown field', { colour: 'red' }],
  ])('answers %s with a 422', async (_name, over) => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    const res = await api.call('POST', '/spend/allowed', api.keys.support, {
      escrow_id: id,
      payee_ref: 'ok-ref',
      label: 'Label',
      ...over,
    });
    expect(res.statusCode).toBe(422);
    expect(['VALIDATION_ERROR', 'AMOUNT_PRECISION']).toContain(res.json().error.code);
  });
});

describe('POST /spend', () => {
  it('pays the payee out of the held balance: SENT, spent and ledger postings, and a retry answers the first spend', async () => {
    const { id } = await fundedEscrow(api, { total: '100.00' });
    await allow(id, 'grocer-1', { daily_limit: '50.00' });
    const idem = key();
    const res = await spend(id, 'grocer-1', '12.5', idem, api.keys.client, { note: 'weekly shop' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      escrow_id: id,
      payee_ref: 'grocer-1',
      amount: '12.50',
      currency: 'USD',
      status: 'SENT',
      note: 'weekly shop',
      payment: { kind: 'spend', beneficiary_id: 'grocer-1', reason: 'usage_spend', status: 'SENT' },
    });
    expect(body.psp_ref).toEqual(expect.any(String));
    const summary = await api.summary(id);
    expect(summary.balances).toMatchObject({ deposited: '100.00', spent: '12.50', held: '87.50' });
    expectBalancesSum(summary.balances);
    expect(summary.escrow.status).toBe('FUNDED');

    const events = await escrowEventTypes(api, id);
    const replay = await spend(id, 'grocer-1', '12.5', idem, api.keys.client, {
      note: 'weekly shop',
    });
    expect(replay.statusCode).toBe(200);
    expect(replay.json().payment_id).toBe(body.payment_id);
    expect(await escrowEventTypes(api, id)).toEqual(events);
    expectErrorEnvelope(await spend(id, 'grocer-1', '13.00', idem), 422, 'IDEMPOTENCY_KEY_REUSED');

    const account = `payee:${id}:grocer-1:payable:USD`;
    const ledger = await api.call('GET', `/ledger/accounts/${account}`, api.keys.support);
    expect(ledger.statusCode).toBe(200);
    // Initiated (credited), then sent (debited): nothing owed to the payee any more.
    expect(ledger.json()).toMatchObject({ balance: '0.00', entries: { total: 2 } });
    const held = await api.call('GET', `/ledger/accounts/escrow:${id}:held:USD`, api.keys.support);
    expect(held.json().balance).toBe('87.50');
    const payees = (await api.call('GET', `/escrows/${id}/payees`, api.keys.client)).json();
    expect(payees.items[0]).toMatchObject({ spent_total: '12.50', spent_today: '12.50' });
    const payments = (await api.call('GET', `/escrows/${id}/payments`, api.keys.client)).json();
    expect(payments.items.map((p: { kind: string }) => p.kind)).toEqual(['spend']);
  });

  it('needs an Idempotency-Key (400) and valid input (422), and is the client’s alone (403)', async () => {
    const { id } = await fundedEscrow(api, { total: '20.00' });
    await allow(id, 'cafe-1');
    const before = await allEventCount(api);
    const noKey = await api.call('POST', '/spend', api.keys.client, {
      escrow_id: id,
      payee_ref: 'cafe-1',
      amount: '1.00',
    });
    expectErrorEnvelope(noKey, 400, 'IDEMPOTENCY_KEY_REQUIRED');
    const blank = await api.call(
      'POST',
      '/spend',
      api.keys.client,
      { escrow_id: id, payee_ref: 'cafe-1', amount: '1.00' },
      { 'idempotency-key': '  ' },
    );
    expectErrorEnvelope(blank, 400, 'IDEMPOTENCY_KEY_REQUIRED');
    expectErrorEnvelope(await spend(id, 'cafe-1', '0'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await spend(id, 'cafe-1', '-1.00'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await spend(id, 'cafe-1', '1.001'), 422, 'AMOUNT_PRECISION');
    expectErrorEnvelope(await spend(id, 'cafe-1', 'ten'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await spend('not-a-uuid', 'cafe-1', '1.00'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(
      await spend('00000000-0000-4000-8000-000000000000', 'cafe-1', '1.00'),
      404,
      'ESCROW_NOT_FOUND',
    );
    expectErrorEnvelope(
      await spend(id, 'cafe-1', '1.00', key(), api.keys.provider),
      403,
      'NOT_ESCROW_CLIENT',
    );
    expectErrorEnvelope(
      await spend(id, 'cafe-1', '1.00', key(), api.keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    expectErrorEnvelope(
      await spend(id, 'cafe-1', '1.00', key(), api.keys.support),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expect(await allEventCount(api)).toBe(before);
    // Admin passes everything.
    expect((await spend(id, 'cafe-1', '1.00', key(), api.keys.admin)).json()).toMatchObject({
      status: 'SENT',
    });
  });

  describe('refusals raise one alert each, and nothing else', () => {
    it.each([
      ['PAYEE_NOT_ALLOWED', 403, 'USAGE_PAYEE_FORBIDDEN', { payee: 'nobody-1', amount: '1.00' }],
      [
        'DAILY_LIMIT_REACHED',
        409,
        'USAGE_DAILY_LIMIT_REJECTED',
        { payee: 'limited', amount: '5.01' },
      ],
      [
        'TOTAL_LIMIT_REACHED',
        409,
        'USAGE_TOTAL_LIMIT_REJECTED',
        { payee: 'capped', amount: '7.01' },
      ],
      [
        'INSUFFICIENT_ESCROW_BALANCE',
        409,
        'USAGE_BALANCE_REJECTED',
        { payee: 'open', amount: '30.01' },
      ],
    ])('%s → %i and one %s alert; a replay raises none', async (code, status, alertType, c) => {
      const { id } = await fundedEscrow(api, { total: '30.00' });
      await allow(id, 'limited', { daily_limit: '5.00' });
      await allow(id, 'capped', { total_limit: '7.00' });
      await allow(id, 'open');
      const idem = key();
      const before = await allEventCount(api, { exceptAlerts: true });
      const alertsBefore = (await alertsOf(alertType)).length;
      expectErrorEnvelope(await spend(id, c.payee, c.amount, idem), status, code);
      expectErrorEnvelope(await spend(id, c.payee, c.amount, idem), status, code);
      expect(await allEventCount(api, { exceptAlerts: true })).toBe(before);
      const alerts = await alertsOf(alertType);
      expect(alerts.length).toBe(alertsBefore + 1);
      expect(alerts[0]).toMatchObject({
        type: alertType,
        actor_user_id: api.ids.client,
        actor: api.keys.client.split('.')[0],
        payload: { escrow_id: id, payee_ref: c.payee, amount: c.amount, currency: 'USD', code },
      });
      // Another request (another key) is another rejection: another alert.
      expectErrorEnvelope(await spend(id, c.payee, c.amount), status, code);
      expect((await alertsOf(alertType)).length).toBe(alertsBefore + 2);
    });

    it('ESCROW_CLOSED → 409 and one USAGE_ESCROW_CLOSED alert', async () => {
      const { id } = await fundedEscrow(api, { total: '10.00' });
      await allow(id, 'shop-x');
      expect(
        (await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {})).statusCode,
      ).toBe(200);
      const before = (await alertsOf('USAGE_ESCROW_CLOSED')).length;
      const idem = key();
      expectErrorEnvelope(await spend(id, 'shop-x', '1.00', idem), 409, 'ESCROW_CLOSED');
      expectErrorEnvelope(await spend(id, 'shop-x', '1.00', idem), 409, 'ESCROW_CLOSED');
      expect((await alertsOf('USAGE_ESCROW_CLOSED')).length).toBe(before + 1);
    });

    it('a refused request does not use up its key: once the payee is allowed, the same key spends', async () => {
      const { id } = await fundedEscrow(api, { total: '10.00' });
      const idem = key();
      expectErrorEnvelope(await spend(id, 'later-1', '2.00', idem), 403, 'PAYEE_NOT_ALLOWED');
      await allow(id, 'later-1');
      const res = await spend(id, 'later-1', '2.00', idem);
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('SENT');
    });
  });

  it('a spend the PSP declines answers 200 ERROR, stays owed, and raises one PAYMENT_FAILED alert', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    await allow(id, 'flaky-1', { total_limit: '6.00' });
    const before = (await alertsOf('PAYMENT_FAILED')).length;
    const res = await withPspMode(api, 'fail', () => spend(id, 'flaky-1', '4.00'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ERROR', payment: { status: 'ERROR' } });
    const summary = await api.summary(id);
    expect(summary.balances).toMatchObject({ spent: '0.00', failed: '4.00', held: '6.00' });
    const alerts = await alertsOf('PAYMENT_FAILED');
    expect(alerts.length).toBe(before + 1);
    expect(alerts[0]).toMatchObject({
      payload: { escrow_id: id, payment_id: res.json().payment_id, kind: 'spend', amount: '4.00' },
    });
    // Still counted toward the payee's total limit: 4.00 owed + 2.01 > 6.00.
    expectErrorEnvelope(await spend(id, 'flaky-1', '2.01'), 409, 'TOTAL_LIMIT_REACHED');
    // Support retries it: the retry is sent, not counted again.
    const retry = await api.call(
      'POST',
      `/payments/${res.json().payment_id}/retry`,
      api.keys.support,
      {},
    );
    expect(retry.statusCode).toBeLessThan(300);
    const after = await api.summary(id);
    expect(after.balances).toMatchObject({ spent: '4.00', failed: '0.00', held: '6.00' });
    expect(
      (await api.call('GET', `/escrows/${id}/payees`, api.keys.client)).json().items[0],
    ).toMatchObject({ spent_total: '4.00' });
  });

  describe('parallel spends never exceed a limit', () => {
    const parallel = async (n: number, run: () => Promise<{ statusCode: number; json(): any }>) => {
      const results = await Promise.all(Array.from({ length: n }, run));
      const codes = results.map((r) => (r.statusCode === 200 ? 'ok' : r.json().error.code));
      return codes.reduce<Record<string, number>>(
        (acc, c) => ({ ...acc, [c]: (acc[c] ?? 0) + 1 }),
        {},
      );
    };

    it('at the daily limit: exactly the affordable number succeed', async () => {
      const { id } = await fundedEscrow(api, { total: '100.00' });
      await allow(id, 'daily-p', { daily_limit: '50.00' });
      expect(await parallel(12, () => spend(id, 'daily-p', '10.00'))).toEqual({
        ok: 5,
        DAILY_LIMIT_REACHED: 7,
      });
      expect((await api.summary(id)).balances).toMatchObject({ spent: '50.00', held: '50.00' });
    });

    it('at the total limit', async () => {
      const { id } = await fundedEscrow(api, { total: '100.00' });
      await allow(id, 'total-p', { total_limit: '30.00' });
      expect(await parallel(8, () => spend(id, 'total-p', '10.00'))).toEqual({
        ok: 3,
        TOTAL_LIMIT_REACHED: 5,
      });
      expect((await api.summary(id)).balances).toMatchObject({ spent: '30.00', held: '70.00' });
    });

    it('at the held balance', async () => {
      const { id } = await fundedEscrow(api, { total: '25.00' });
      await allow(id, 'bal-p');
      expect(await parallel(6, () => spend(id, 'bal-p', '10.00'))).toEqual({
        ok: 2,
        INSUFFICIENT_ESCROW_BALANCE: 4,
      });
      const summary = await api.summary(id);
      expect(summary.balances).toMatchObject({ spent: '20.00', held: '5.00' });
      expectBalancesSum(summary.balances);
    });
  });

  it('the audit trail names the real actor of each mutation', async () => {
    const { id } = await fundedEscrow(api, { total: '10.00' });
    await allow(id, 'audit-p');
    await spend(id, 'audit-p', '1.00');
    const res = await api.call(
      'GET',
      `/audit/events?stream=escrow-${id}&limit=200`,
      api.keys.auditor,
    );
    expect(res.statusCode).toBe(200);
    const byType = (type: string) =>
      res.json().items.filter((e: { type: string }) => e.type === type);
    const prefix = (k: string) => k.split('.')[0];
    expect(byType('payee.allowed.v1').map((e: { actor_label: string }) => e.actor_label)).toEqual([
      prefix(api.keys.support),
    ]);
    const spendEvents = [...byType('payment.initiated.v1'), ...byType('payment.sent.v1')];
    expect(spendEvents.length).toBe(2);
    for (const e of spendEvents) expect(e.actor_label).toBe(prefix(api.keys.client));
  });
});
