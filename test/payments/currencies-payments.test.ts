/**
 * Money at the currency's scale through the payment routes (API-RULES.md §3): the lifecycle in
 * JPY (scale 0) and KWD (scale 3), where every amount the API answers, in the release, the
 * approve and reject answers, `GET /payments/{id}`, `GET /escrows/{id}/payments`, the milestones
 * and the summary's balances, is a decimal string at exactly that scale ("5000", "1.250"), and
 * sums stay exact down to the minor unit. Input with more decimals than the currency allows is
 * 422 AMOUNT_PRECISION (never rounded) and stores nothing; zero or negative is VALIDATION_ERROR.
 */
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { escrowEventTypes, expectBalancesSum, withPspMode } from '../support/escrow-api-extra';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const amounts = (items: { amount: string }[]) => items.map((p) => p.amount);
const payments = async (escrowId: string, query = '') =>
  (await api.call('GET', `/escrows/${escrowId}/payments${query}`, api.keys.client)).json();
const addMilestone = (escrowId: string, body: Record<string, unknown>) =>
  api.call('POST', `/escrows/${escrowId}/milestones`, api.keys.client, {
    label: 'M',
    sequence_index: 1,
    ...body,
  });

describe('JPY (scale 0)', () => {
  it('funds, releases and approves with whole-yen amounts everywhere', async () => {
    const id = await api.escrow({ amount_total: '10000', currency: 'JPY' });
    const m1 = await api.milestone(id, 1, '5000');
    const m2 = await api.milestone(id, 2, '3000');
    const first = await api.deposit(id, '6000');
    expect(first.json()).toMatchObject({
      amount_total: '10000',
      deposited: '6000',
      status: 'DRAFT',
      deposit: { amount: '6000', status: 'CONFIRMED' },
    });
    const second = await api.deposit(id, '4000');
    expect(second.json()).toMatchObject({ deposited: '10000', status: 'FUNDED' });

    const released = await api.release(m1);
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({
      amount: '5000',
      currency: 'JPY',
      status: 'SENT',
      milestone: { amount: '5000', status: 'PAID' },
    });
    expect(
      (await api.call('GET', `/payments/${released.json().id}`, api.keys.provider)).json(),
    ).toMatchObject({ amount: '5000', currency: 'JPY' });
    expect((await api.summary(id)).balances).toEqual({
      deposited: '10000',
      paid: '5000',
      refunded: '0',
      spent: '0',
      failed: '0',
      held: '5000',
      pending_deposits: '0',
    });

    const approved = await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {});
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'RELEASED',
      amount_total: '10000',
      deposited: '10000',
    });
    expect(
      approved
        .json()
        .payments.map((p: { amount: string; milestone_id: string | null }) => [
          p.amount,
          p.milestone_id,
        ]),
    ).toEqual([
      ['3000', m2],
      ['2000', null],
    ]);
    const listed = await payments(id);
    expect(listed.total).toBe(3);
    expect(amounts(listed.items)).toEqual(['5000', '3000', '2000']);
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({ deposited: '10000', paid: '10000', held: '0' });
    expectBalancesSum(s.balances);
    expect(amounts(s.milestones)).toEqual(['5000', '3000']);
    const milestones = (
      await api.call('GET', `/escrows/${id}/milestones`, api.keys.provider)
    ).json();
    expect(amounts(milestones)).toEqual(['5000', '3000']);
    expect(
      (await api.call('GET', `/escrows/milestones/${m2}`, api.keys.client)).json(),
    ).toMatchObject({ amount: '3000', status: 'PAID' });
  });

  it('refunds what is held on client-reject and shows a failed payout at scale 0', async () => {
    const id = await api.escrow({ amount_total: '999', currency: 'JPY' });
    const m1 = await api.milestone(id, 1, '333');
    await api.deposit(id, '999');
    const failed = await withPspMode(api, 'fail', () => api.release(m1));
    expect(failed.json()).toMatchObject({ amount: '333', status: 'ERROR' });
    expect((await api.summary(id)).balances).toMatchObject({ failed: '333', held: '666' });
    const rejected = await api.call('POST', `/escrows/${id}/client-reject`, api.keys.client, {});
    expect(rejected.json()).toMatchObject({
      status: 'REFUNDED',
      payments: [{ kind: 'refund', amount: '666', status: 'SENT' }],
    });
    expect(amounts((await payments(id, '?kind=refund')).items)).toEqual(['666']);
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({
      deposited: '999',
      paid: '0',
      refunded: '666',
      failed: '333',
      held: '0',
    });
    expectBalancesSum(s.balances);
  });

  it('refuses fractional yen with AMOUNT_PRECISION, storing nothing', async () => {
    const id = await api.escrow({ amount_total: '10000', currency: 'JPY' });
    const before = await escrowEventTypes(api, id);
    const calls = api.t.platform.psp.calls.length;
    for (const amount of ['5000.5', '5000.0', '0.1']) {
      const m = expectErrorEnvelope(
        await addMilestone(id, { amount, currency: 'JPY' }),
        422,
        'AMOUNT_PRECISION',
      );
      expect(m.details).toMatchObject({ currency: 'JPY', scale: 0 });
      expectErrorEnvelope(await api.deposit(id, amount), 422, 'AMOUNT_PRECISION');
    }
    // A JSON number is not money at all: refused before its scale is looked at.
    const number = expectErrorEnvelope(
      await addMilestone(id, { amount: 5000.5, currency: 'JPY' }),
      422,
      'VALIDATION_ERROR',
    );
    expect(number.details).toMatchObject({
      fields: { amount: [expect.stringContaining('decimal string')] },
    });
    expectErrorEnvelope(
      await api.call('POST', '/escrows', api.keys.client, {
        client_id: api.ids.client,
        provider_id: api.ids.provider,
        amount_total: '100.5',
        currency: 'JPY',
        release_conditions: {},
        deadline_at: '2099-01-01T00:00:00Z',
      }),
      422,
      'AMOUNT_PRECISION',
    );
    for (const amount of ['0', '-1']) {
      expectErrorEnvelope(
        await addMilestone(id, { amount, currency: 'JPY' }),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(await api.deposit(id, amount), 422, 'VALIDATION_ERROR');
    }
    expect(await escrowEventTypes(api, id)).toEqual(before);
    expect(api.t.platform.psp.calls.length).toBe(calls);
  });
});

describe('KWD (scale 3)', () => {
  it('releases, then refunds the rest on client-reject, with three decimals everywhere', async () => {
    const id = await api.escrow({ amount_total: '5.000', currency: 'KWD' });
    const m1 = await api.milestone(id, 1, '1.250');
    await api.milestone(id, 2, '2.5');
    expect(
      (await api.call('GET', `/escrows/${id}/milestones`, api.keys.client))
        .json()
        .map((m: { amount: string }) => m.amount),
    ).toEqual(['1.250', '2.500']);
    expect((await api.deposit(id, '2.5')).json()).toMatchObject({
      deposited: '2.500',
      deposit: { amount: '2.500' },
    });
    expect((await api.deposit(id, '2.500')).json()).toMatchObject({
      deposited: '5.000',
      status: 'FUNDED',
    });
    const released = await api.release(m1);
    expect(released.json()).toMatchObject({
      amount: '1.250',
      currency: 'KWD',
      status: 'SENT',
      milestone: { amount: '1.250' },
    });
    const rejected = await api.call('POST', `/escrows/${id}/client-reject`, api.keys.client, {
      note: 'cancelled',
    });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json()).toMatchObject({
      status: 'REFUNDED',
      amount_total: '5.000',
      deposited: '5.000',
      payments: [{ kind: 'refund', amount: '3.750', currency: 'KWD', status: 'SENT' }],
    });
    const listed = await payments(id);
    expect(listed.items.map((p: { kind: string; amount: string }) => [p.kind, p.amount])).toEqual([
      ['payout', '1.250'],
      ['refund', '3.750'],
    ]);
    expect(amounts((await payments(id, '?kind=payout')).items)).toEqual(['1.250']);
    expect(
      (
        await api.call('GET', `/payments/${rejected.json().payments[0].id}`, api.keys.auditor)
      ).json(),
    ).toMatchObject({ amount: '3.750' });
    const s = await api.summary(id);
    expect(s.balances).toEqual({
      deposited: '5.000',
      paid: '1.250',
      refunded: '3.750',
      spent: '0.000',
      failed: '0.000',
      held: '0.000',
      pending_deposits: '0.000',
    });
  });

  it('approves paying the rest exactly to the fils, after deposits of one minor unit', async () => {
    const id = await api.escrow({ amount_total: '1.003', currency: 'KWD' });
    await api.milestone(id, 1, '0.001');
    await api.deposit(id, '1.000');
    for (let i = 0; i < 3; i++) await api.deposit(id, '0.001');
    expect((await api.summary(id)).escrow).toMatchObject({ status: 'FUNDED', deposited: '1.003' });
    const approved = await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {});
    expect(approved.json()).toMatchObject({ status: 'RELEASED' });
    expect(amounts(approved.json().payments)).toEqual(['0.001', '1.002']);
    expect(amounts((await payments(id)).items)).toEqual(['0.001', '1.002']);
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({ deposited: '1.003', paid: '1.003', held: '0.000' });
    expectBalancesSum(s.balances);
  });

  it('refuses a fourth decimal with AMOUNT_PRECISION on milestones and deposits, storing nothing', async () => {
    const id = await api.escrow({ amount_total: '5.000', currency: 'KWD' });
    const before = await escrowEventTypes(api, id);
    for (const amount of ['1.2501', '0.0001', '1.2500']) {
      const m = expectErrorEnvelope(
        await addMilestone(id, { amount, currency: 'KWD' }),
        422,
        'AMOUNT_PRECISION',
      );
      expect(m.details).toMatchObject({ field: 'amount', currency: 'KWD', scale: 3 });
      expectErrorEnvelope(
        await api.call(
          'POST',
          `/escrows/${id}/deposit`,
          api.keys.client,
          { amount },
          { 'idempotency-key': `p-${amount}` },
        ),
        422,
        'AMOUNT_PRECISION',
      );
    }
    expect(await escrowEventTypes(api, id)).toEqual(before);
    // A rejected request does not use up its key: the same key with a valid amount goes through.
    const ok = await api.call(
      'POST',
      `/escrows/${id}/deposit`,
      api.keys.client,
      { amount: '1.250' },
      { 'idempotency-key': 'p-1.2501' },
    );
    expect(ok.json()).toMatchObject({ deposited: '1.250' });
    expect(await escrowEventTypes(api, id)).toEqual([
      ...before,
      'escrow.deposit_initiated.v1',
      'escrow.deposit_confirmed.v1',
    ]);
    // A JSON number is refused even at the scale: money is a decimal string only.
    const number = expectErrorEnvelope(
      await addMilestone(id, { amount: 1.25, currency: 'KWD' }),
      422,
      'VALIDATION_ERROR',
    );
    expect(number.details).toMatchObject({
      fields: { amount: [expect.stringContaining('decimal string')] },
    });
  });
});
