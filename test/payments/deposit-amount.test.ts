/**
 * The PSP's reported amount is checked on confirmation (issue 12): a collection the PSP reports
 * at another amount or currency than asked credits nothing, keeps the reference (so the recovery
 * job stops asking and a webhook finds the deposit), and raises one DEPOSIT_AMOUNT_MISMATCH
 * alert; a `deposit.confirmed` webhook credits only when it states the amount and currency asked
 * for, else it is ignored and alerted.
 */
import { randomUUID } from 'node:crypto';
import { escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const mismatchAlerts = async (depositId: string) => {
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
  const res = await api.call(
    'GET',
    '/alerts?type=DEPOSIT_AMOUNT_MISMATCH&limit=200',
    api.keys.support,
  );
  return res
    .json()
    .items.filter((a: { payload: { deposit_id: string } }) => a.payload.deposit_id === depositId);
};

it('credits nothing when the PSP reports collecting another amount, keeps the reference and alerts once', async () => {
  const psp = api.t.platform.psp;
  const id = await api.escrow({ amount_total: '50.00' });
  psp.misreport = (request) => ({ amount: '49.99', currency: request.currency });
  let res;
  try {
    res = await api.deposit(id, '50.00');
  } finally {
    psp.misreport = null;
  }
  expect(res.statusCode).toBe(200);
  const d = res.json().deposit;
  expect(d).toMatchObject({ status: 'PENDING', psp_ref: expect.stringMatching(/^SIM-/) });
  expect(res.json()).toMatchObject({ status: 'DRAFT', deposited: '0.00' });
  const alerts = await mismatchAlerts(d.id);
  expect(alerts).toHaveLength(1);
  expect(alerts[0].payload).toMatchObject({
    escrow_id: id,
    asked_amount: '50.00',
    reported_amount: '49.99',
    reported_currency: 'USD',
    asked_currency: 'USD',
  });
  expect(alerts[0].actor_user_id).toBe(api.ids.client);
  // The recovery job does not ask again (the reference is known): no second alert, no credit.
  const job = paymentRecoveryJob(api.t.platform, api.t.payments);
  expect(
    await job.run({ now: new Date(Date.now() + escrowJobLimits.recoveryMinAgeMs + 1000) }),
  ).toContain('deposits: none');
  expect(await mismatchAlerts(d.id)).toHaveLength(1);
  const s = await api.summary(id);
  expect(s.balances).toMatchObject({ deposited: '0.00', held: '0.00', pending_deposits: '50.00' });
  // The PSP's own confirmation by webhook at the right amount then credits it.
  const confirmed = await api.webhook({
    event_id: `evt-${randomUUID()}`,
    type: 'deposit.confirmed',
    psp_ref: d.psp_ref,
    amount: '50.00',
    currency: 'USD',
  });
  expect(confirmed.json()).toMatchObject({ outcome: 'applied' });
  expect((await api.summary(id)).balances).toMatchObject({ deposited: '50.00', held: '50.00' });
});

it('ignores and alerts a deposit.confirmed webhook that states another amount, another currency, or none', async () => {
  const psp = api.t.platform.psp;
  psp.collections = 'webhook';
  let d;
  const id = await api.escrow({ amount_total: '30.00' });
  try {
    d = (await api.deposit(id, '30.00')).json().deposit;
  } finally {
    psp.collections = 'sync';
  }
  expect(d).toMatchObject({ status: 'PENDING', psp_ref: expect.stringMatching(/^SIM-/) });
  const bodies = [
    { amount: '3.00', currency: 'USD' },
    { amount: '30.00', currency: 'EUR' },
    { amount: 30, currency: 'USD' },
    {},
  ];
  for (const [i, extra] of bodies.entries()) {
    const res = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'deposit.confirmed',
      psp_ref: d.psp_ref,
      ...extra,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ outcome: 'ignored' });
    expect((await api.summary(id)).balances).toMatchObject({ deposited: '0.00' });
    expect(await mismatchAlerts(d.id)).toHaveLength(i + 1);
  }
  const ok = await api.webhook({
    event_id: `evt-${randomUUID()}`,
    type: 'deposit.confirmed',
    psp_ref: d.psp_ref,
    amount: '30',
    currency: 'usd',
  });
  expect(ok.json()).toMatchObject({ outcome: 'applied' });
  expect((await api.summary(id)).escrow.status).toBe('FUNDED');
});
