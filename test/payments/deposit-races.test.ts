/**
 * Deposits where the PSP has been asked and something else changed (found in review):
 * - an Idempotency-Key reused with another request is refused before the PSP is asked (the PSP
 *   must never collect for a request the command then refuses), and an id's letter case does not
 *   make another scope;
 * - a deposit the PSP accepted without confirming, on an escrow another request closed or filled
 *   meanwhile, is recorded (beyond the cap) and refunded when the PSP confirms it;
 * - text the PSP sends (a long or blank decline reason, an unusable reference) never turns its
 *   answer into a 4xx;
 * - the recovery job asks the PSP again about a deposit it left PENDING without a reference.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { PspDeclinedError } from '@kob/psp';
import { escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';
import { startTestApp, type TestApp } from '../support/test-app';

// Replicas verify each other's keys only with a shared secret (in test it is random per process).
const API_KEY_SECRET = randomBytes(32).toString('hex');

let api: EscrowApi;
/** Another replica on the same database: the request that races a deposit's PSP call. */
let other: TestApp;
beforeAll(async () => {
  api = await startEscrowApi({ API_KEY_SECRET });
  other = await startTestApp({ database: api.t.tdb, env: { API_KEY_SECRET } });
});
afterAll(async () => {
  await other.closeApp();
  await api.close();
});

const collects = (depositId?: string) =>
  api.t.platform.psp.calls.filter(
    (c) => c.kind === 'collect' && (depositId === undefined || c.idempotencyKey === depositId),
  ).length;

const deposit = (
  escrowId: string,
  body: unknown,
  key: string,
  path = `/escrows/${escrowId}/deposit`,
) => api.call('POST', path, api.keys.client, body, { 'idempotency-key': key });

describe('deposits once the PSP has been asked', () => {
  it('refuses a key reused with another request before the PSP is asked', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    expect((await deposit(id, { amount: '10.00' }, 'k-1')).json().deposit.status).toBe('CONFIRMED');
    const before = collects();
    expectErrorEnvelope(
      await deposit(id, { amount: '11.00' }, 'k-1'),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    // A JSON number is refused before the key is looked at (money is a decimal string only).
    expectErrorEnvelope(await deposit(id, { amount: 10 }, 'k-1'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(
      await deposit(id, { amount: '10.00' }, 'k-1', `/escrows/${id}/deposit?x=1`),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    // The same escrow named in upper case is the same request: the first answer, no new deposit.
    const upper = await deposit(
      id,
      { amount: '10.00' },
      'k-1',
      `/escrows/${id.toUpperCase()}/deposit`,
    );
    expect(upper.json()).toMatchObject({ deposited: '10.00', deposit: { status: 'CONFIRMED' } });
    // Neither the refusals nor the replay of a confirmed deposit asked the PSP.
    expect(collects()).toBe(before);
  });

  it('records a pending deposit on an escrow closed meanwhile, and refunds it when the PSP confirms', async () => {
    const psp = api.t.platform.psp;
    const id = await api.escrow({ amount_total: '100.00' });
    await api.deposit(id, '20.00');
    // While the PSP takes the deposit (and will confirm it by webhook), the client rejects the
    // escrow from another request, on another replica: on this one it would wait its turn, as
    // the deposit holds the escrow stream's queue until the PSP answers.
    psp.collections = 'webhook';
    const collect = psp.collect.bind(psp);
    psp.collect = async (request) => {
      const answer = await collect(request);
      const rejected = await other.app.inject({
        method: 'POST',
        url: `/escrows/${id}/client-reject`,
        headers: { 'x-api-key': api.keys.client, 'content-type': 'application/json' },
        payload: {},
      });
      expect(rejected.json().status).toBe('CANCELLED');
      return answer;
    };
    let pending;
    try {
      pending = await api.deposit(id, '30.00');
    } finally {
      psp.collect = collect;
      psp.collections = 'sync';
    }
    expect(pending.statusCode).toBe(200);
    const d = pending.json().deposit;
    expect(d).toMatchObject({ status: 'PENDING', psp_ref: expect.stringMatching(/^SIM-/) });
    const confirmed = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'deposit.confirmed',
      psp_ref: d.psp_ref,
      amount: '30.00',
      currency: 'USD',
    });
    expect(confirmed.json()).toMatchObject({ outcome: 'applied' });
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('CANCELLED');
    expect(s.deposits.find((x: { id: string }) => x.id === d.id)).toMatchObject({
      status: 'REFUNDED',
    });
    expect(s.balances).toMatchObject({
      deposited: '50.00',
      refunded: '50.00',
      held: '0.00',
      pending_deposits: '0.00',
    });
  });

  it('keeps a PSP answer with an odd text from becoming a 4xx', async () => {
    const psp = api.t.platform.psp;
    const id = await api.escrow({ amount_total: '100.00' });
    const collect = psp.collect.bind(psp);
    psp.collect = async () => {
      throw new PspDeclinedError(`  ${'x'.repeat(2000)}\u0000 `);
    };
    try {
      const declined = await api.deposit(id, '10.00');
      expect(declined.statusCode).toBe(200);
      expect(declined.json().deposit.status).toBe('FAILED');
      psp.collect = async () => {
        throw new PspDeclinedError('   ');
      };
      expect((await api.deposit(id, '10.00')).json().deposit.status).toBe('FAILED');
      psp.collect = async () => ({
        status: 'confirmed',
        pspRef: 'r'.repeat(300),
        amount: '10.00',
        currency: 'USD',
      });
      const unusable = await api.deposit(id, '10.00');
      expect(unusable.statusCode).toBe(200);
      expect(unusable.json().deposit).toMatchObject({ status: 'PENDING', psp_ref: null });
      expect(psp.lastError).toMatch(/usable reference/);
    } finally {
      psp.collect = collect;
    }
    // A payout declined with a huge reason is ERROR (failed), not stuck PENDING behind a 422.
    const m = await api.milestone(id, 1, '5.00');
    await api.deposit(id, '5.00');
    const transfer = psp.transfer.bind(psp);
    psp.transfer = async () => {
      throw new PspDeclinedError('y'.repeat(5000));
    };
    try {
      const payout = await api.release(m);
      expect(payout.statusCode).toBe(200);
      expect(payout.json()).toMatchObject({ status: 'ERROR', failure_reason: 'y'.repeat(500) });
    } finally {
      psp.transfer = transfer;
    }
  });

  it('asks the PSP again about a deposit it left PENDING without a reference (recovery job)', async () => {
    const psp = api.t.platform.psp;
    const id = await api.escrow({ amount_total: '100.00' });
    psp.mode = 'timeout';
    psp.answerTimeoutMs = 20;
    let pending;
    try {
      pending = (await api.deposit(id, '40.00')).json().deposit;
    } finally {
      psp.mode = 'accept';
    }
    expect(pending).toMatchObject({ status: 'PENDING', psp_ref: null });
    const job = paymentRecoveryJob(api.t.platform, api.t.payments);
    await projectionsCaughtUp(api.t.platform, 5000);
    expect(await job.run({ now: new Date() })).toBe(
      'payments: none; webhooks: none; deposits: none',
    );
    const later = new Date(Date.now() + escrowJobLimits.recoveryMinAgeMs + 1000);
    // (An earlier test's deposit with an unusable reference is confirmed by the same run.)
    expect(await job.run({ now: later })).toMatch(
      /^payments: none; webhooks: none; deposits: \d+ CONFIRMED$/,
    );
    expect(collects(pending.id)).toBe(2);
    expect((await api.summary(id)).balances).toMatchObject({
      deposited: '40.00',
      pending_deposits: '0.00',
    });
    await projectionsCaughtUp(api.t.platform, 5000);
    expect(await job.run({ now: later })).toBe('payments: none; webhooks: none; deposits: none');
  });
});
