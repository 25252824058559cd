/**
 * The escrow lifecycle over HTTP (API-RULES.md §2, §3): fund, release milestones in order, the
 * automatic RELEASED when every milestone is paid and nothing is held, client approve paying the
 * unpaid milestones then the rest, client reject refunding what is held, the summary's balances
 * and allowed actions for each role, and the payments read back.
 */
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const typesOf = async (escrowId: string) =>
  (await api.t.platform.store.readStream(`escrow-${escrowId}`)).map((e) => e.type);

describe('escrow lifecycle', () => {
  it('releases milestones in order and closes the escrow when all are paid and nothing is held', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(id, 1, '40.00');
    const m2 = await api.milestone(id, 2, '60.00');
    expect((await api.deposit(id, '100.00')).json()).toMatchObject({ status: 'FUNDED' });
    expectErrorEnvelope(await api.release(m2), 409, 'SEQUENCE_ERROR');
    const first = await api.release(m1);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      kind: 'payout',
      amount: '40.00',
      status: 'SENT',
      milestone_id: m1,
      milestone: { status: 'PAID' },
    });
    const again = await api.release(m1);
    expect(again.json().id).toBe(first.json().id);
    const second = await api.release(m2);
    expect(second.json()).toMatchObject({ amount: '60.00', status: 'SENT' });
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('RELEASED');
    expect(s.balances).toEqual({
      deposited: '100.00',
      paid: '100.00',
      refunded: '0.00',
      spent: '0.00',
      failed: '0.00',
      held: '0.00',
      pending_deposits: '0.00',
    });
    expect(s.allowed_actions).toEqual([]);
    expect((await typesOf(id)).slice(-3)).toEqual([
      'payment.sent.v1',
      'milestone.paid.v1',
      'escrow.released.v1',
    ]);
    const payments = (
      await api.call('GET', `/escrows/${id}/payments?kind=payout`, api.keys.provider)
    ).json();
    expect(payments.items.map((p: { amount: string }) => p.amount)).toEqual(['40.00', '60.00']);
  });

  it('client-approve pays unpaid milestones in order, then the rest as one payout', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(id, 1, '30.00');
    await api.milestone(id, 2, '50.00');
    await api.deposit(id, '100.00');
    await api.release(m1);
    expectErrorEnvelope(
      await api.call('POST', `/escrows/${id}/client-approve`, api.keys.provider, {}),
      403,
      'NOT_ESCROW_CLIENT',
    );
    const res = await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {
      note: 'all good',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'RELEASED' });
    expect(
      res.json().payments.map((p: { amount: string; status: string }) => [p.amount, p.status]),
    ).toEqual([
      ['50.00', 'SENT'],
      ['20.00', 'SENT'],
    ]);
    const s = await api.summary(id);
    expect(s.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID', 'PAID']);
    expect(s.balances).toMatchObject({ paid: '100.00', held: '0.00' });
    expectErrorEnvelope(
      await api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {}),
      409,
      'ESCROW_CLOSED',
    );
    expectErrorEnvelope(
      await api.call('POST', `/escrows/${id}/client-reject`, api.keys.client),
      409,
      'ESCROW_CLOSED',
    );
  });

  it('client-reject refunds what is held: CANCELLED from DRAFT, REFUNDED once funded', async () => {
    const draft = await api.escrow({ amount_total: '100.00' });
    await api.deposit(draft, '30.00');
    const cancelled = await api.call('POST', `/escrows/${draft}/client-reject`, api.keys.client);
    expect(cancelled.json()).toMatchObject({
      status: 'CANCELLED',
      payments: [
        { kind: 'refund', amount: '30.00', status: 'SENT', beneficiary_id: api.ids.client },
      ],
    });
    const funded = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(funded, 1, '25.00');
    await api.deposit(funded, '100.00');
    await api.release(m1);
    const refunded = await api.call(
      'POST',
      `/escrows/${funded}/client-reject`,
      api.keys.client,
      {},
    );
    expect(refunded.json()).toMatchObject({
      status: 'REFUNDED',
      payments: [{ kind: 'refund', amount: '75.00' }],
    });
    expect((await api.summary(funded)).balances).toMatchObject({
      deposited: '100.00',
      paid: '25.00',
      refunded: '75.00',
      held: '0.00',
    });
  });

  it('refuses a release the held balance does not cover, storing nothing', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const m1 = await api.milestone(id, 1, '50.00');
    await api.deposit(id, '20.00');
    const before = await typesOf(id);
    const res = expectErrorEnvelope(await api.release(m1), 409, 'INSUFFICIENT_ESCROW_BALANCE');
    expect(res.details).toMatchObject({ held: '20.00', required: '50.00' });
    expect(await typesOf(id)).toEqual(before);
    await api.deposit(id, '30.00');
    expect((await api.release(m1)).json()).toMatchObject({ status: 'SENT' });
  });

  it('lists the actions each role may take now', async () => {
    const id = await api.escrow({ amount_total: '100.00', deadline_at: '2001-01-01T00:00:00Z' });
    const m1 = await api.milestone(id, 1, '10.00');
    await api.deposit(id, '50.00');
    expect((await api.summary(id, api.keys.client)).allowed_actions).toEqual([
      'deposit',
      'milestones',
      'client-reject',
      'check-deadline',
      `milestones/${m1}/release`,
    ]);
    expect((await api.summary(id, api.keys.provider)).allowed_actions).toEqual(['check-deadline']);
    expect((await api.summary(id, api.keys.support)).allowed_actions).toEqual(['check-deadline']);
    expect((await api.summary(id, api.keys.auditor)).allowed_actions).toEqual([]);
    expectErrorEnvelope(
      await api.call('GET', `/escrows/${id}/summary`, api.keys.stranger),
      403,
      'NOT_ESCROW_PARTY',
    );
    // Past its deadline a DRAFT escrow is cancelled with a refund, whatever on_deadline says.
    const res = await api.call('POST', `/escrows/${id}/check-deadline`, api.keys.provider);
    expect(res.json()).toMatchObject({
      status: 'CANCELLED',
      payments: [{ kind: 'refund', amount: '50.00' }],
    });
  });
});
