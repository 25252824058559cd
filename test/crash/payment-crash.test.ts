/**
 * A crash between a payment's initiation and its PSP call (API-RULES.md §3): a child process
 * releases a milestone and is SIGKILLed right after `payment.initiated.v1` commits, before it
 * asks the PSP anything. The payment must be left PENDING with its amount reserved, and be
 * finished exactly once by whichever recovery comes first: `POST /payments/execute/{id}`
 * (support), the scheduler's recovery job, or the client's retry of the release with the same
 * Idempotency-Key (which answers the first payout, same payment id). Recovery runs in the test's
 * own API process, on the same database, with its own PSP simulator.
 */
import { randomUUID } from 'node:crypto';
import { escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { distFile, runChild, type ChildOutcome } from '../support/child';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';
import { storeEnv, storedEvents } from '../support/stored-events';

const CHILD = 'test/children/payment-crash.child.js';

let api: EscrowApi;
let clientKey: { id: string; prefix: string };

beforeAll(async () => {
  api = await startEscrowApi();
  const row = await api.t.platform.db
    .selectFrom('api_keys')
    .select(['id', 'prefix'])
    .where('user_id', '=', api.ids.client)
    .executeTakeFirstOrThrow();
  clientKey = { id: row.id, prefix: row.prefix };
});
afterAll(() => api.close());

/** A FUNDED escrow with one milestone of the whole amount. */
async function fundedMilestone(
  amount = '20.00',
): Promise<{ escrowId: string; milestoneId: string }> {
  const escrowId = await api.escrow({ amount_total: amount });
  const milestoneId = await api.milestone(escrowId, 1, amount);
  expect((await api.deposit(escrowId, amount)).json()).toMatchObject({ status: 'FUNDED' });
  return { escrowId, milestoneId };
}

function release(
  target: { escrowId: string; milestoneId: string },
  paymentId: string,
  options: { crash: boolean; idempotencyKey?: string },
): Promise<ChildOutcome> {
  return runChild(distFile(CHILD), {
    DATABASE_URL: api.t.tdb.serviceUrl,
    ...storeEnv(api.t.platform),
    ESCROW_ID: target.escrowId,
    MILESTONE_ID: target.milestoneId,
    PAYMENT_ID: paymentId,
    CLIENT_ID: api.ids.client,
    CLIENT_KEY_ID: clientKey.id,
    CLIENT_KEY_PREFIX: clientKey.prefix,
    KOBATELA_TEST_CRASH_AFTER_APPEND: options.crash ? '1' : '0',
    ...(options.idempotencyKey ? { IDEM_KEY: options.idempotencyKey } : {}),
  });
}

/** Runs the release in a child that dies right after its append: nothing reached the PSP. */
async function crashedRelease(
  target: { escrowId: string; milestoneId: string },
  idempotencyKey?: string,
): Promise<string> {
  const paymentId = randomUUID();
  const types = await typesOf(target.escrowId);
  const crashed = await release(target, paymentId, {
    crash: true,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });
  expect(crashed.signal).toBe('SIGKILL');
  // The child announces a PSP call before making it: it died before any.
  expect(crashed.stdout).toBe('');
  expect(await typesOf(target.escrowId)).toEqual([
    ...types,
    'milestone.approved.v1',
    'payment.initiated.v1',
  ]);
  const initiated = await paymentEvents(paymentId);
  expect(initiated).toEqual([
    {
      type: 'payment.initiated.v1',
      actor: expect.objectContaining({ kind: 'api_key', userId: api.ids.client }),
    },
  ]);
  await caughtUp();
  return paymentId;
}

const typesOf = async (escrowId: string) =>
  (await api.t.platform.store.readStream(`escrow-${escrowId}`)).map((e) => e.type);

const paymentEvents = async (paymentId: string) =>
  (await storedEvents(api.t.platform))
    .filter((e) => e.type.startsWith('payment.') && e.data.paymentId === paymentId)
    .map((e) => ({ type: e.type, actor: e.metadata.actor as unknown }));

/** Transfers this process's simulator was asked for, under a payment id. */
const transfersOf = (paymentId: string) =>
  api.t.platform.psp.calls.filter((c) => c.kind === 'transfer' && c.idempotencyKey === paymentId)
    .length;

/** Waits until this process's read models have applied everything appended so far (by anyone). */
async function caughtUp(): Promise<void> {
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
}

const payment = async (id: string) =>
  (await api.call('GET', `/payments/${id}`, api.keys.support)).json();

describe('a crash between the payment initiation and the PSP call', () => {
  it('control: without the crash the same child calls the PSP and sends the payout', async () => {
    const target = await fundedMilestone();
    const paymentId = randomUUID();
    const done = await release(target, paymentId, { crash: false });
    expect(done.code).toBe(0);
    const [announced, result] = done.stdout.trim().split('\n');
    expect(announced).toBe(`psp transfer ${paymentId}`);
    expect(JSON.parse(result!)).toEqual({
      paymentIds: [paymentId],
      payments: [{ id: paymentId, status: 'SENT' }],
    });
  });

  it('leaves the payment PENDING; POST /payments/execute/{id} sends it exactly once, and a repeat changes nothing', async () => {
    const target = await fundedMilestone();
    const paymentId = await crashedRelease(target);
    expect(await payment(paymentId)).toMatchObject({
      status: 'PENDING',
      psp_ref: null,
      amount: '20.00',
    });
    const pending = await api.summary(target.escrowId);
    expect(pending.milestones.map((m: { status: string }) => m.status)).toEqual(['PAYING']);
    expect(pending.balances).toMatchObject({ deposited: '20.00', paid: '20.00', held: '0.00' });
    expect(transfersOf(paymentId)).toBe(0);

    const executed = await api.call('POST', `/payments/execute/${paymentId}`, api.keys.support);
    expect(executed.statusCode).toBe(200);
    expect(executed.json()).toMatchObject({
      id: paymentId,
      status: 'SENT',
      psp_ref: expect.stringMatching(/^SIM-/),
    });
    expect(transfersOf(paymentId)).toBe(1);
    const sent = await api.summary(target.escrowId);
    expect(sent.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID']);
    expect(sent.escrow.status).toBe('RELEASED');
    expect(await paymentEvents(paymentId)).toEqual([
      { type: 'payment.initiated.v1', actor: expect.objectContaining({ kind: 'api_key' }) },
      {
        type: 'payment.sent.v1',
        actor: expect.objectContaining({ kind: 'api_key', scope: 'support' }),
      },
    ]);

    const types = await typesOf(target.escrowId);
    const again = await api.call('POST', `/payments/execute/${paymentId}`, api.keys.support);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      id: paymentId,
      status: 'SENT',
      psp_ref: executed.json().psp_ref,
    });
    expect(await typesOf(target.escrowId)).toEqual(types);
    expect(transfersOf(paymentId)).toBe(1);
  });

  it('the recovery job leaves it while younger than the minimum age, then sends it as system:scheduler', async () => {
    const target = await fundedMilestone('35.00');
    const paymentId = await crashedRelease(target);
    const job = paymentRecoveryJob(api.t.platform, api.t.payments);
    const initiatedAt = Date.parse((await payment(paymentId)).created_at);
    // Exactly the minimum age: the request that made it may still be sending it.
    expect(await job.run({ now: new Date(initiatedAt + escrowJobLimits.recoveryMinAgeMs) })).toBe(
      'payments: none; webhooks: none; deposits: none',
    );
    expect(await payment(paymentId)).toMatchObject({ status: 'PENDING' });
    expect(transfersOf(paymentId)).toBe(0);

    const later = new Date(initiatedAt + escrowJobLimits.recoveryMinAgeMs + 1);
    expect(await job.run({ now: later })).toBe('payments: 1 SENT; webhooks: none; deposits: none');
    expect(transfersOf(paymentId)).toBe(1);
    expect(await paymentEvents(paymentId)).toEqual([
      { type: 'payment.initiated.v1', actor: expect.objectContaining({ kind: 'api_key' }) },
      { type: 'payment.sent.v1', actor: { kind: 'system', name: 'system:scheduler' } },
    ]);
    const s = await api.summary(target.escrowId);
    expect(s.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID']);
    expect(s.escrow.status).toBe('RELEASED');
    await caughtUp();
    expect(await job.run({ now: later })).toBe('payments: none; webhooks: none; deposits: none');
    expect(transfersOf(paymentId)).toBe(1);
  });

  it("the client's retry with the same Idempotency-Key answers the first payout (same payment id) and sends it", async () => {
    const target = await fundedMilestone('15.00');
    const key = `release-${randomUUID()}`;
    const paymentId = await crashedRelease(target, key);
    expect(transfersOf(paymentId)).toBe(0);

    const retry = await api.release(target.milestoneId, api.keys.client, {
      'idempotency-key': key,
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({
      id: paymentId,
      status: 'SENT',
      amount: '15.00',
      milestone: { status: 'PAID' },
    });
    expect(transfersOf(paymentId)).toBe(1);
    expect((await paymentEvents(paymentId)).map((e) => e.type)).toEqual([
      'payment.initiated.v1',
      'payment.sent.v1',
    ]);
    const types = await typesOf(target.escrowId);
    expect(types.filter((t) => t === 'payment.initiated.v1')).toHaveLength(1);

    const repeat = await api.release(target.milestoneId, api.keys.client, {
      'idempotency-key': key,
    });
    expect(repeat.json()).toMatchObject({
      id: paymentId,
      status: 'SENT',
      psp_ref: retry.json().psp_ref,
    });
    expect(await typesOf(target.escrowId)).toEqual(types);
    expect(transfersOf(paymentId)).toBe(1);
  });
});
