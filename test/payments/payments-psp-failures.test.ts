/**
 * PSP failure modes over HTTP (API-RULES.md §3): whatever the PSP does (declines, times out
 * without acting, acts but loses its answer, answers garbage), the call that started the payment
 * answers 2xx with the payment ERROR (failed: FRONTEND-CONTRACT.md D4) or PENDING in the body,
 * never a 5xx and never a lost record. Each case is checked by the payment's state afterwards
 * (`GET /payments/{id}`, the escrow's payments list, the summary's balances) and by what the
 * simulator saw: a PENDING payment is sent again under the same idempotency key (its id), so the
 * PSP pays once; a failed one is paid by exactly one retry (`retry_of`); execute and retry leave
 * SENT and SETTLED payments as they are.
 */
import { randomUUID } from 'node:crypto';
import { escrowDecider } from '@kob/domain';
import { escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  allEventCount,
  escrowEventTypes,
  expectBalancesSum,
  expectNot5xx,
  fundedEscrow,
  transferModes,
  withPspMode,
} from '../support/escrow-api-extra';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const getPayment = async (id: string, key = api.keys.admin) => {
  const res = await api.call('GET', `/payments/${id}`, key);
  expect(res.statusCode).toBe(200);
  return res.json();
};
const execute = (id: string, key = api.keys.support) =>
  api.call('POST', `/payments/execute/${id}`, key);
const retry = (id: string, key = api.keys.support) =>
  api.call('POST', `/payments/${id}/retry`, key);

describe('a PSP that declines', () => {
  it('answers the release 200 with an ERROR payout that stays owed; one retry pays it', async () => {
    const { id, milestones } = await fundedEscrow(api, {
      total: '100.00',
      milestones: ['40.00', '60.00'],
    });
    const [m1] = milestones as [string, string];
    const released = expectNot5xx(await withPspMode(api, 'fail', () => api.release(m1)));
    expect(released.statusCode).toBe(200);
    const failed = released.json();
    expect(failed).toMatchObject({
      kind: 'payout',
      amount: '40.00',
      status: 'ERROR',
      psp_ref: null,
      milestone_id: m1,
      retry_of: null,
      retried_by: null,
      failure_reason: 'simulated decline',
      idempotency_key: failed.id,
      milestone: { id: m1, status: 'PAYING' },
    });
    expect(await getPayment(failed.id)).toMatchObject({
      id: failed.id,
      status: 'ERROR',
      amount: '40.00',
    });
    let s = await api.summary(id);
    // The failed amount is owed, not held: held drops by it, the escrow's status does not move.
    expect(s.balances).toMatchObject({
      deposited: '100.00',
      paid: '0.00',
      failed: '40.00',
      held: '60.00',
    });
    expectBalancesSum(s.balances);
    expect(s.escrow.status).toBe('FUNDED');
    expect(s.milestones.map((m: { status: string }) => m.status)).toEqual(['PAYING', 'WAITING']);
    // A repeat of the release answers the existing (failed) payout: no second payout.
    const repeat = await api.release(m1);
    expect(repeat.statusCode).toBe(200);
    expect(repeat.json()).toMatchObject({ id: failed.id, status: 'ERROR' });

    // A failed (ERROR) payment is not sent again: it is retried.
    const refused = expectErrorEnvelope(await execute(failed.id), 409, 'INVALID_STATE_TRANSITION');
    expect(refused.details).toMatchObject({ from: 'ERROR' });
    expect(transferModes(api, failed.id)).toEqual(['fail']);

    const retried = await retry(failed.id);
    expect(retried.statusCode).toBe(201);
    const second = retried.json();
    expect(second).toMatchObject({
      kind: 'payout',
      amount: '40.00',
      status: 'SENT',
      psp_ref: expect.stringMatching(/^SIM-/),
      milestone_id: m1,
      retry_of: failed.id,
    });
    expect(second.id).not.toBe(failed.id);
    expect(transferModes(api, second.id)).toEqual(['accept']);
    expect(await getPayment(failed.id)).toMatchObject({ status: 'ERROR', retried_by: second.id });
    expect(await getPayment(second.id)).toMatchObject({
      status: 'SENT',
      retry_of: failed.id,
      psp_ref: second.psp_ref,
    });
    s = await api.summary(id);
    expect(s.balances).toMatchObject({
      deposited: '100.00',
      paid: '40.00',
      failed: '0.00',
      held: '60.00',
    });
    expectBalancesSum(s.balances);
    expect(s.escrow.status).toBe('FUNDED');
    expect(s.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID', 'WAITING']);
    expect(
      (await escrowEventTypes(api, id)).filter((t) => t === 'payment.retried.v1'),
    ).toHaveLength(1);
  });

  it("answers a release repeated under its Idempotency-Key with the first answer's payout, even after a retry", async () => {
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const key = { 'idempotency-key': `release-${randomUUID()}` };
    const first = await withPspMode(api, 'fail', () =>
      api.release(milestones[0]!, api.keys.client, key),
    );
    expect(first.json()).toMatchObject({ status: 'ERROR' });
    const retried = (await retry(first.json().id)).json();
    expect(retried.status).toBe('SENT');
    // §4: same key, same request → the first answer. Its payment may have moved on, but it is
    // the payment the first answer named, not the retry that came later.
    const again = await api.release(milestones[0]!, api.keys.client, key);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ id: first.json().id, retry_of: null });
    // Without a key a repeat answers the milestone's current payout.
    expect((await api.release(milestones[0]!)).json()).toMatchObject({
      id: retried.id,
      status: 'SENT',
    });
  });

  it('answers a DRAFT client-reject 200 CANCELLED with its refund ERROR, and the retry refunds it', async () => {
    const { id } = await fundedEscrow(api, { total: '100.00', deposit: '30.00' });
    const res = expectNot5xx(
      await withPspMode(api, 'fail', () =>
        api.call('POST', `/escrows/${id}/client-reject`, api.keys.client),
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'CANCELLED',
      payments: [{ kind: 'refund', amount: '30.00', status: 'ERROR' }],
    });
    expect((await api.summary(id)).balances).toMatchObject({
      deposited: '30.00',
      refunded: '0.00',
      failed: '30.00',
      held: '0.00',
    });
    expect((await retry(res.json().payments[0].id)).json()).toMatchObject({
      kind: 'refund',
      status: 'SENT',
      amount: '30.00',
    });
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('CANCELLED');
    expect(s.balances).toMatchObject({ refunded: '30.00', failed: '0.00', held: '0.00' });
  });

  it('answers a due check-deadline 200 with the on_deadline payments ERROR when the PSP declines', async () => {
    const { id } = await fundedEscrow(api, {
      total: '20.00',
      over: { deadline_at: '2001-01-01T00:00:00Z', release_conditions: { on_deadline: 'refund' } },
    });
    const res = expectNot5xx(
      await withPspMode(api, 'fail', () =>
        api.call('POST', `/escrows/${id}/check-deadline`, api.keys.support),
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'REFUNDED',
      payments: [{ kind: 'refund', amount: '20.00', status: 'ERROR' }],
    });
    expectErrorEnvelope(
      await api.call('POST', `/escrows/${id}/check-deadline`, api.keys.support),
      409,
      'ESCROW_CLOSED',
    );
  });

  it('answers a second retry of the same failed payment with the first retry, appending nothing', async () => {
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const failed = (await withPspMode(api, 'fail', () => api.release(milestones[0]!))).json();
    const first = await retry(failed.id);
    expect(first.statusCode).toBe(201);
    const before = await allEventCount(api);
    const calls = api.t.platform.psp.calls.length;
    // The retry id is derived from the failed payment's id: a second retry is the same request,
    // answered with the same payment (the code's choice over 409 PAYMENT_ALREADY_RETRIED).
    const again = await retry(failed.id);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await allEventCount(api)).toBe(before);
    expect(api.t.platform.psp.calls.length).toBe(calls);
  });

  it('pays a retry that fails again through a retry of the retry, never twice', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const failed = (await withPspMode(api, 'fail', () => api.release(milestones[0]!))).json();
    const failedRetry = await withPspMode(api, 'fail', () => retry(failed.id));
    expect(failedRetry.statusCode).toBe(201);
    expect(failedRetry.json()).toMatchObject({ status: 'ERROR', retry_of: failed.id });
    let s = await api.summary(id);
    expect(s.balances).toMatchObject({ paid: '0.00', failed: '10.00', held: '0.00' });
    expectBalancesSum(s.balances);
    const third = await retry(failedRetry.json().id);
    expect(third.json()).toMatchObject({ status: 'SENT', retry_of: failedRetry.json().id });
    s = await api.summary(id);
    expect(s.balances).toMatchObject({ paid: '10.00', failed: '0.00', held: '0.00' });
    expect(s.escrow.status).toBe('RELEASED');
    expect(s.payments.filter((p: { status: string }) => p.status !== 'ERROR')).toHaveLength(1);
  });

  it('answers client-approve 200 RELEASED with every payout ERROR, and the retries pay them', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '100.00', milestones: ['30.00'] });
    const res = expectNot5xx(
      await withPspMode(api, 'fail', () =>
        api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {}),
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'RELEASED' });
    const payouts = res.json().payments as {
      id: string;
      amount: string;
      status: string;
      milestone_id: string | null;
    }[];
    expect(payouts.map((p) => [p.amount, p.status, p.milestone_id])).toEqual([
      ['30.00', 'ERROR', milestones[0]],
      ['70.00', 'ERROR', null],
    ]);
    let s = await api.summary(id);
    expect(s.balances).toMatchObject({
      deposited: '100.00',
      paid: '0.00',
      failed: '100.00',
      held: '0.00',
    });
    expectBalancesSum(s.balances);
    for (const p of payouts)
      expect((await retry(p.id)).json()).toMatchObject({
        status: 'SENT',
        retry_of: p.id,
        amount: p.amount,
      });
    s = await api.summary(id);
    expect(s.escrow.status).toBe('RELEASED');
    expect(s.balances).toMatchObject({ paid: '100.00', failed: '0.00', held: '0.00' });
    expect(s.milestones[0].status).toBe('PAID');
  });

  it('answers client-reject 200 REFUNDED with the refund ERROR; the refunds list shows it and its retry', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '50.00', milestones: ['20.00'] });
    await api.release(milestones[0]!);
    const res = expectNot5xx(
      await withPspMode(api, 'fail', () =>
        api.call('POST', `/escrows/${id}/client-reject`, api.keys.client, { note: 'no' }),
      ),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'REFUNDED',
      payments: [
        { kind: 'refund', amount: '30.00', status: 'ERROR', beneficiary_id: api.ids.client },
      ],
    });
    const refundId = res.json().payments[0].id as string;
    let list = (
      await api.call('GET', `/escrows/${id}/payments?kind=refund`, api.keys.client)
    ).json();
    expect(list).toMatchObject({
      total: 1,
      items: [{ id: refundId, kind: 'refund', status: 'ERROR' }],
    });
    expect((await api.summary(id)).balances).toMatchObject({
      paid: '20.00',
      refunded: '0.00',
      failed: '30.00',
      held: '0.00',
    });
    const retried = await retry(refundId);
    expect(retried.statusCode).toBe(201);
    list = (await api.call('GET', `/escrows/${id}/payments?kind=refund`, api.keys.provider)).json();
    expect(list.total).toBe(2);
    expect(
      list.items.map((p: { id: string; status: string; retry_of: string | null }) => [
        p.id,
        p.status,
        p.retry_of,
      ]),
    ).toEqual([
      [refundId, 'ERROR', null],
      [retried.json().id, 'SENT', refundId],
    ]);
    const payouts = (
      await api.call('GET', `/escrows/${id}/payments?kind=payout`, api.keys.auditor)
    ).json();
    expect(payouts.items.map((p: { status: string }) => p.status)).toEqual(['SENT']);
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('REFUNDED');
    expect(s.balances).toMatchObject({
      deposited: '50.00',
      paid: '20.00',
      refunded: '30.00',
      failed: '0.00',
      held: '0.00',
    });
  });
});

describe('a PSP that does not answer', () => {
  it('timeout: the payout stays PENDING with no effect at the PSP; execute sends it under the same key', async () => {
    const { id, milestones } = await fundedEscrow(api, {
      total: '100.00',
      milestones: ['40.00', '60.00'],
    });
    const [m1] = milestones as [string, string];
    const res = expectNot5xx(await withPspMode(api, 'timeout', () => api.release(m1)));
    expect(res.statusCode).toBe(200);
    const pending = res.json();
    expect(pending).toMatchObject({
      status: 'PENDING',
      psp_ref: null,
      milestone: { status: 'PAYING' },
    });
    expect(api.t.platform.psp.outcomeOf(pending.id)).toBeUndefined();
    expect(await getPayment(pending.id)).toMatchObject({ status: 'PENDING' });
    // The amount is reserved: counted as paid, no longer held.
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({ paid: '40.00', failed: '0.00', held: '60.00' });
    expectBalancesSum(s.balances);
    // Still silent: execute answers 200 with the payment PENDING, never a 5xx.
    const stillPending = expectNot5xx(await withPspMode(api, 'timeout', () => execute(pending.id)));
    expect(stillPending.statusCode).toBe(200);
    expect(stillPending.json()).toMatchObject({ id: pending.id, status: 'PENDING' });
    // A PENDING payment may still be paid by the PSP: it is sent again, never retried as new.
    expectErrorEnvelope(await retry(pending.id), 409, 'INVALID_STATE_TRANSITION');
    const sent = await execute(pending.id);
    expect(sent.statusCode).toBe(200);
    expect(sent.json()).toMatchObject({
      id: pending.id,
      status: 'SENT',
      psp_ref: api.t.platform.psp.outcomeOf(pending.id)!.pspRef,
    });
    expect(transferModes(api, pending.id)).toEqual(['timeout', 'timeout', 'accept']);
    const milestone = (await api.call('GET', `/escrows/milestones/${m1}`, api.keys.client)).json();
    expect(milestone.status).toBe('PAID');
  });

  it('silent: the PSP paid but the answer was lost; execute records the reference the PSP recorded', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '25.00', milestones: ['25.00'] });
    const res = expectNot5xx(await withPspMode(api, 'silent', () => api.release(milestones[0]!)));
    expect(res.statusCode).toBe(200);
    const pending = res.json();
    expect(pending).toMatchObject({ status: 'PENDING', psp_ref: null });
    const recorded = api.t.platform.psp.outcomeOf(pending.id);
    expect(recorded).toMatchObject({ status: 'sent', pspRef: expect.stringMatching(/^SIM-/) });
    const sent = await execute(pending.id);
    expect(sent.json()).toMatchObject({
      id: pending.id,
      status: 'SENT',
      psp_ref: recorded!.pspRef,
    });
    expect(await getPayment(pending.id)).toMatchObject({
      status: 'SENT',
      psp_ref: recorded!.pspRef,
    });
    // One payment at the PSP (one key, one outcome), one payment on the stream.
    expect(transferModes(api, pending.id)).toEqual(['silent', 'accept']);
    expect(api.t.platform.psp.outcomeOf(pending.id)).toEqual(recorded);
    const types = await escrowEventTypes(api, id);
    expect(types.filter((t) => t === 'payment.initiated.v1')).toHaveLength(1);
    expect(types.filter((t) => t === 'payment.sent.v1')).toHaveLength(1);
    const reservation = await api.t.platform.store.readStream(
      await api.t.platform.reservationStream('psp-ref', recorded!.pspRef),
    );
    expect(reservation[0]!.data).toMatchObject({
      stream: `escrow-${id}`,
      kind: 'payment',
      id: pending.id,
    });
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('RELEASED');
    expect(s.balances).toMatchObject({ paid: '25.00', held: '0.00' });
  });

  it('client-approve and client-reject with a silent PSP answer 200 with their payments PENDING', async () => {
    const approved = await fundedEscrow(api, { total: '20.00' });
    const a = expectNot5xx(
      await withPspMode(api, 'silent', () =>
        api.call('POST', `/escrows/${approved.id}/client-approve`, api.keys.client, {}),
      ),
    );
    expect(a.json()).toMatchObject({
      status: 'RELEASED',
      payments: [{ kind: 'payout', amount: '20.00', status: 'PENDING' }],
    });
    const rejected = await fundedEscrow(api, { total: '20.00' });
    const r = expectNot5xx(
      await withPspMode(api, 'timeout', () =>
        api.call('POST', `/escrows/${rejected.id}/client-reject`, api.keys.client, {}),
      ),
    );
    expect(r.json()).toMatchObject({
      status: 'REFUNDED',
      payments: [{ kind: 'refund', amount: '20.00', status: 'PENDING' }],
    });
    for (const p of [a.json().payments[0], r.json().payments[0]]) {
      expect((await execute(p.id)).json()).toMatchObject({ id: p.id, status: 'SENT' });
    }
  });

  it('a PENDING payout the PSP then declines on execute is ERROR (200), and the retry pays it', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const pending = (await withPspMode(api, 'timeout', () => api.release(milestones[0]!))).json();
    expect(pending.status).toBe('PENDING');
    const declined = expectNot5xx(await withPspMode(api, 'fail', () => execute(pending.id)));
    expect(declined.statusCode).toBe(200);
    expect(declined.json()).toMatchObject({
      id: pending.id,
      status: 'ERROR',
      failure_reason: 'simulated decline',
    });
    expect((await api.summary(id)).balances).toMatchObject({
      paid: '0.00',
      failed: '10.00',
      held: '0.00',
    });
    expect((await retry(pending.id)).json()).toMatchObject({
      status: 'SENT',
      retry_of: pending.id,
    });
    expect(transferModes(api, pending.id)).toEqual(['timeout', 'fail']);
  });

  it('the recovery job sends a payout left PENDING under the same key, as the scheduler', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const pending = (await withPspMode(api, 'timeout', () => api.release(milestones[0]!))).json();
    const job = paymentRecoveryJob(api.t.platform, api.t.payments);
    // Younger payments may still be in the hands of their request: the job leaves them alone.
    await job.run({ now: new Date() });
    expect(await getPayment(pending.id)).toMatchObject({ status: 'PENDING' });
    await job.run({ now: new Date(Date.now() + escrowJobLimits.recoveryMinAgeMs + 1_000) });
    const { state } = await api.t.platform.commands.read(`escrow-${id}`, escrowDecider);
    expect(state.payments.find((p) => p.paymentId === pending.id)).toMatchObject({
      status: 'SENT',
      pspRef: api.t.platform.psp.outcomeOf(pending.id)!.pspRef,
    });
    expect(transferModes(api, pending.id)).toEqual(['timeout', 'accept']);
    const sent = await api.t.platform.store.readStream(`escrow-${id}`);
    expect(sent.find((e) => e.type === 'payment.sent.v1')!.metadata.actor).toEqual({
      kind: 'system',
      name: 'system:scheduler',
    });
  });

  it('an unreadable PSP answer leaves the payout PENDING, never a 5xx', async () => {
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const psp = api.t.platform.psp;
    const transfer = psp.transfer.bind(psp);
    psp.transfer = async () => {
      throw new TypeError('unexpected PSP payload');
    };
    let res;
    try {
      res = expectNot5xx(await api.release(milestones[0]!));
    } finally {
      psp.transfer = transfer;
    }
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'PENDING', psp_ref: null });
    expect(psp.lastError).toBe('unexpected PSP payload');
    expect((await execute(res.json().id)).json()).toMatchObject({ status: 'SENT' });
  });
});

describe('execute and retry on payments that need nothing', () => {
  it('answers execute on SENT and SETTLED payments with the payment unchanged, without calling the PSP', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const payout = (await api.release(milestones[0]!)).json();
    expect(payout.status).toBe('SENT');
    const calls = api.t.platform.psp.calls.length;
    const before = await escrowEventTypes(api, id);
    const { milestone: _m, ...asSent } = payout;
    const onSent = await execute(payout.id);
    expect(onSent.statusCode).toBe(200);
    expect(onSent.json()).toEqual(asSent);
    expect(await escrowEventTypes(api, id)).toEqual(before);
    const settled = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: payout.psp_ref,
    });
    expect(settled.json()).toMatchObject({ outcome: 'applied' });
    const asSettled = await getPayment(payout.id);
    expect(asSettled.status).toBe('SETTLED');
    const onSettled = await execute(payout.id);
    expect(onSettled.statusCode).toBe(200);
    expect(onSettled.json()).toEqual(asSettled);
    expect(api.t.platform.psp.calls.length).toBe(calls);
    expect(await escrowEventTypes(api, id)).toEqual([...before, 'payment.settled.v1']);
  });

  it('answers retry on SENT and SETTLED payments with the payment unchanged, starting no payment', async () => {
    const { id, milestones } = await fundedEscrow(api, {
      total: '10.00',
      milestones: ['5.00', '5.00'],
    });
    const sent = (await api.release(milestones[0]!)).json();
    const settledPayout = (await api.release(milestones[1]!)).json();
    await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: settledPayout.psp_ref,
    });
    const before = await escrowEventTypes(api, id);
    for (const p of [sent, settledPayout]) {
      const current = await getPayment(p.id);
      const res = expectNot5xx(await retry(p.id));
      expect({ status: res.statusCode < 300, body: res.json() }).toEqual({
        status: true,
        body: current,
      });
    }
    expect(await escrowEventTypes(api, id)).toEqual(before);
  });
});

describe('payment ids', () => {
  it('answers 404 PAYMENT_NOT_FOUND for unknown and malformed ids on every payment route', async () => {
    const unknown = randomUUID();
    for (const id of [unknown, 'not-a-uuid', '123', `${unknown}x`, 'null', '..%2F..']) {
      expectErrorEnvelope(
        await api.call('GET', `/payments/${id}`, api.keys.admin),
        404,
        'PAYMENT_NOT_FOUND',
      );
      expectErrorEnvelope(await execute(id), 404, 'PAYMENT_NOT_FOUND');
      expectErrorEnvelope(await retry(id), 404, 'PAYMENT_NOT_FOUND');
    }
    // Upper case names the same payment.
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const payout = (await api.release(milestones[0]!)).json();
    expect((await getPayment(payout.id.toUpperCase())).id).toBe(payout.id);
  });
});
