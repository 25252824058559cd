/**
 * The scheduler's money jobs, run directly (no scheduler, no leadership) on a test app with the
 * app's own payment services (libs/payments/src/escrow-jobs.ts, API-RULES.md §2, §3, §6):
 * `escrow-deadlines` closes escrows past their deadline by their `on_deadline` rule (a DRAFT one is
 * cancelled with its refund), leaves the rest, acts as `system:scheduler` and says what it did;
 * `payment-recovery` sends PENDING payments older than the minimum age and leaves younger ones,
 * finishes a webhook a crash left `received`, and applies a parked webhook whose reference has
 * been recorded since. A run where one item fails still handles the others and reports the
 * failure. Outcome strings are checked exactly: each run's to-do list is known.
 */
import { randomUUID } from 'node:crypto';
import { escrowDecider, pspWebhookDecider } from '@kob/domain';
import { systemMetadata } from '@kob/platform';
import { deadlineJob, escrowJobLimits, paymentRecoveryJob } from '../../apps/api/src/jobs';
import { pspRefClaim, webhookStreamId } from '../../apps/api/src/payments/shared';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { projectionsCaughtUp } from '../support/caught-up';
import { storedEventCount, storedEvents } from '../support/stored-events';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const deadlines = () => deadlineJob(api.t.platform, api.t.payments);
const recovery = () => paymentRecoveryJob(api.t.platform, api.t.payments);

/** Waits until this process's read models (the jobs' to-do lists) have applied every event. */
async function caughtUp(): Promise<void> {
  expect(await projectionsCaughtUp(api.t.platform)).toBe(true);
}

/** How many events are stored so far (the events after it are the next ones written). */
const lastPosition = () => storedEventCount(api.t.platform);

const eventsAfter = async (count: number) =>
  (await storedEvents(api.t.platform))
    .slice(count)
    .map((e) => ({ stream_id: e.streamId, type: e.type, actor: e.metadata.actor as unknown }));

const statusOf = async (escrowId: string) => (await api.summary(escrowId)).escrow.status as string;
/** A payment as `GET /payments/{id}` reads it, once the read model has applied every event. */
const payment = async (id: string) => {
  await caughtUp();
  return (await api.call('GET', `/payments/${id}`, api.keys.support)).json();
};
const scheduler = { kind: 'system', name: 'system:scheduler' };

/** An escrow due since `deadline`, with `deposit` confirmed and optional milestones. */
async function dueEscrow(
  deadline: string,
  deposit: string,
  over: Record<string, unknown> = {},
  milestones: string[] = [],
): Promise<string> {
  const id = await api.escrow({ amount_total: '100.00', deadline_at: deadline, ...over });
  for (const [i, amount] of milestones.entries()) await api.milestone(id, i + 1, amount);
  expect((await api.deposit(id, deposit)).statusCode).toBe(200);
  return id;
}

/** A released milestone whose payout is left as the PSP mode leaves it. */
async function payout(
  amount: string,
  mode: 'accept' | 'timeout' | 'silent' = 'accept',
): Promise<{ escrowId: string; payment: Record<string, any> }> {
  const escrowId = await api.escrow({ amount_total: amount });
  const m = await api.milestone(escrowId, 1, amount);
  await api.deposit(escrowId, amount);
  const psp = api.t.platform.psp;
  psp.mode = mode;
  psp.answerTimeoutMs = 20;
  try {
    return { escrowId, payment: (await api.release(m)).json() };
  } finally {
    psp.mode = 'accept';
  }
}

describe('escrow-deadlines job', () => {
  it('closes escrows past their deadline by their rule, leaves the others, and acts as system:scheduler', async () => {
    const draft = await dueEscrow('2001-01-01T00:00:00Z', '30.00');
    const release = await dueEscrow('2001-01-02T00:00:00Z', '100.00', {}, ['40.00', '60.00']);
    const refund = await dueEscrow('2001-01-03T00:00:00Z', '100.00', {
      release_conditions: { on_deadline: 'refund' },
    });
    const none = await dueEscrow('2001-01-04T00:00:00Z', '100.00', {
      release_conditions: { on_deadline: 'none' },
    });
    const future = await dueEscrow('2099-12-31T00:00:00Z', '100.00', {}, ['100.00']);
    expect([
      await statusOf(draft),
      await statusOf(release),
      await statusOf(refund),
      await statusOf(none),
      await statusOf(future),
    ]).toEqual(['DRAFT', 'FUNDED', 'FUNDED', 'FUNDED', 'FUNDED']);
    await caughtUp();
    const before = await lastPosition();

    const job = deadlines();
    expect(job.name).toBe('escrow-deadlines');
    expect(job.intervalMs).toBe(api.t.platform.config.schedulerDeadlineIntervalMs);
    expect(await job.run({ now: new Date() })).toBe('escrows: 1 CANCELLED, 1 RELEASED, 1 REFUNDED');

    const cancelled = await api.summary(draft);
    expect(cancelled.escrow.status).toBe('CANCELLED');
    expect(cancelled.payments).toEqual([
      expect.objectContaining({
        kind: 'refund',
        amount: '30.00',
        status: 'SENT',
        beneficiary_id: api.ids.client,
      }),
    ]);
    const released = await api.summary(release);
    expect(released.escrow.status).toBe('RELEASED');
    expect(
      released.payments.map((p: Record<string, string>) => [
        p.kind,
        p.amount,
        p.status,
        p.beneficiary_id,
      ]),
    ).toEqual([
      ['payout', '40.00', 'SENT', api.ids.provider],
      ['payout', '60.00', 'SENT', api.ids.provider],
    ]);
    expect(released.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID', 'PAID']);
    const refunded = await api.summary(refund);
    expect(refunded.escrow.status).toBe('REFUNDED');
    expect(refunded.payments).toEqual([
      expect.objectContaining({ kind: 'refund', amount: '100.00', status: 'SENT' }),
    ]);
    expect(refunded.balances).toMatchObject({ refunded: '100.00', held: '0.00' });
    expect(await statusOf(none)).toBe('FUNDED');
    expect(await statusOf(future)).toBe('FUNDED');

    const appended = await eventsAfter(before);
    const escrowStreams = new Set(
      appended.filter((e) => e.stream_id.startsWith('escrow-')).map((e) => e.stream_id),
    );
    expect(escrowStreams).toEqual(new Set([draft, release, refund].map((id) => `escrow-${id}`)));
    expect(appended.filter((e) => e.type === 'payment.sent.v1')).toHaveLength(4);
    expect(appended.map((e) => e.actor)).toEqual(appended.map(() => scheduler));

    // The escrow told to do nothing is not picked again, nor are the closed ones.
    await caughtUp();
    const after = await lastPosition();
    expect(await deadlines().run({ now: new Date() })).toBe('escrows: none');
    expect(await eventsAfter(after)).toEqual([]);
  });

  it('counts a to-do row whose escrow closed meanwhile as already closed, and handles the others', async () => {
    const stale = await dueEscrow('2001-02-01T00:00:00Z', '10.00');
    const other = await dueEscrow('2001-02-02T00:00:00Z', '20.00');
    await caughtUp();
    // The client rejects `stale` through a replica whose read model has not caught up yet: the
    // job's to-do list still shows it DRAFT and due, but its stream says CANCELLED.
    await api.t.platform.projections.stop();
    try {
      const meta = systemMetadata('system:test');
      const rejected = await api.t.payments.actions.run(
        stale,
        {
          type: 'ClientReject',
          escrowId: stale,
          idSeed: randomUUID(),
          now: meta.now.toISOString(),
        },
        meta,
      );
      expect(rejected.state.status).toBe('CANCELLED');
      // The stale row is an escrow that closed meanwhile: counted, not a failure.
      expect(await deadlines().run({ now: new Date() })).toBe(
        'escrows: 1 already closed, 1 CANCELLED',
      );
      // Decided again on its stream, the stale item changed nothing.
      expect(rejected.state.payments).toHaveLength(1);
      expect(
        (await api.t.platform.commands.read(`escrow-${stale}`, escrowDecider)).state.payments,
      ).toHaveLength(1);
    } finally {
      api.t.platform.projections.start();
    }
    expect(await statusOf(other)).toBe('CANCELLED');
    expect((await api.summary(other)).payments).toEqual([
      expect.objectContaining({ kind: 'refund', amount: '20.00', status: 'SENT' }),
    ]);
    await caughtUp();
    expect(await deadlines().run({ now: new Date() })).toBe('escrows: none');
  });
});

describe('payment-recovery job', () => {
  it('sends PENDING payments older than the minimum age and leaves younger ones', async () => {
    const first = await payout('11.00', 'timeout');
    const second = await payout('12.00', 'timeout');
    expect([first.payment.status, second.payment.status]).toEqual(['PENDING', 'PENDING']);
    await caughtUp();
    const [t1, t2] = [Date.parse(first.payment.created_at), Date.parse(second.payment.created_at)];
    expect(t1).toBeLessThan(t2);
    const calls = () => api.t.platform.psp.calls.filter((c) => c.kind === 'transfer').length;
    const callsBefore = calls();

    const job = recovery();
    expect(job.name).toBe('payment-recovery');
    // `second` is exactly the minimum age at this clock reading: not yet.
    expect(await job.run({ now: new Date(t2 + escrowJobLimits.recoveryMinAgeMs) })).toBe(
      'payments: 1 SENT; webhooks: none; deposits: none',
    );
    expect(await payment(first.payment.id)).toMatchObject({
      status: 'SENT',
      psp_ref: expect.stringMatching(/^SIM-/),
    });
    expect(await payment(second.payment.id)).toMatchObject({ status: 'PENDING' });
    expect(calls()).toBe(callsBefore + 1);
    const sent = (await storedEvents(api.t.platform))
      .filter((e) => e.type === 'payment.sent.v1' && e.data.paymentId === first.payment.id)
      .map((e) => ({ actor: e.metadata.actor as unknown }));
    expect(sent).toEqual([{ actor: scheduler }]);
    expect((await api.summary(first.escrowId)).escrow.status).toBe('RELEASED');

    await caughtUp();
    expect(await job.run({ now: new Date(t2 + escrowJobLimits.recoveryMinAgeMs + 1) })).toBe(
      'payments: 1 SENT; webhooks: none; deposits: none',
    );
    expect(await payment(second.payment.id)).toMatchObject({ status: 'SENT' });
    await caughtUp();
    expect(await job.run({ now: new Date(Date.now() + 60_000) })).toBe(
      'payments: none; webhooks: none; deposits: none',
    );
    expect(calls()).toBe(callsBefore + 2);
  });

  it('a run where one payment fails still sends the others and reports the failure', async () => {
    const { payment: earlier } = await payout('15.00');
    const first = await payout('16.00', 'timeout');
    const second = await payout('17.00', 'timeout');
    await caughtUp();
    // A misbehaving PSP answers `first` with a reference it already gave another payment.
    const psp = api.t.platform.psp;
    const transfer = psp.transfer.bind(psp);
    psp.transfer = async (request) =>
      request.idempotencyKey === first.payment.id
        ? { status: 'sent', pspRef: earlier.psp_ref }
        : transfer(request);
    try {
      await expect(recovery().run({ now: new Date(Date.now() + 60_000) })).rejects.toThrow(
        `1 of 2 failed: ${first.payment.id}: PSP_REFERENCE_IN_USE: the PSP answered with a reference already recorded for something else`,
      );
    } finally {
      psp.transfer = transfer;
    }
    expect(await payment(first.payment.id)).toMatchObject({ status: 'PENDING', psp_ref: null });
    expect(await payment(second.payment.id)).toMatchObject({ status: 'SENT' });
    expect(await payment(earlier.id)).toMatchObject({ status: 'SENT', psp_ref: earlier.psp_ref });
    // The next run, with the PSP behaving, sends the one left.
    expect(await recovery().run({ now: new Date(Date.now() + 60_000) })).toBe(
      'payments: 1 SENT; webhooks: none; deposits: none',
    );
    const resent = await payment(first.payment.id);
    expect(resent).toMatchObject({ status: 'SENT', psp_ref: expect.stringMatching(/^SIM-/) });
    expect(resent.psp_ref).not.toBe(earlier.psp_ref);
  });

  it('finishes a webhook that a crash left received', async () => {
    const { payment: sentPayout } = await payout('13.00');
    expect(sentPayout.status).toBe('SENT');
    const eventId = `evt-${randomUUID()}`;
    const streamId = webhookStreamId('default', eventId);
    const meta = systemMetadata('psp:webhook');
    // What POST /psp/webhook appends first; the process died before applying it.
    await api.t.platform.commands.execute({
      streamId,
      decider: pspWebhookDecider,
      command: {
        type: 'ReceivePspWebhook',
        provider: 'default',
        eventId,
        kind: 'payment.settled',
        pspRef: sentPayout.psp_ref,
        payload: { event_id: eventId, type: 'payment.settled', psp_ref: sentPayout.psp_ref },
        signedWith: 'primary',
        now: meta.now.toISOString(),
      },
      metadata: meta,
    });
    await caughtUp();
    const row = () =>
      api.t.platform.db
        .selectFrom('psp_webhooks')
        .selectAll()
        .where('stream_id', '=', streamId)
        .executeTakeFirstOrThrow();
    expect(await row()).toMatchObject({ status: 'received' });
    const receivedAt = meta.now.getTime();

    const job = recovery();
    expect(await job.run({ now: new Date(receivedAt + escrowJobLimits.recoveryMinAgeMs) })).toBe(
      'payments: none; webhooks: none; deposits: none',
    );
    expect(await payment(sentPayout.id)).toMatchObject({ status: 'SENT' });
    expect(
      await job.run({ now: new Date(receivedAt + escrowJobLimits.recoveryMinAgeMs + 1) }),
    ).toBe('payments: none; webhooks: 1 applied; deposits: none');
    expect(await payment(sentPayout.id)).toMatchObject({ status: 'SETTLED' });
    await caughtUp();
    expect(await row()).toMatchObject({ status: 'applied' });
    // The PSP's next delivery of the same event is a duplicate that changes nothing.
    const again = await api.webhook({
      event_id: eventId,
      type: 'payment.settled',
      psp_ref: sentPayout.psp_ref,
    });
    expect(again.json()).toMatchObject({ ok: 'true', outcome: 'applied', duplicate: true });
    await caughtUp();
    expect(await job.run({ now: new Date(Date.now() + 60_000) })).toBe(
      'payments: none; webhooks: none; deposits: none',
    );
  });

  it('applies a parked webhook whose reference has been recorded since, and keeps one whose reference is still unknown', async () => {
    // The PSP paid, but its answer (with the reference) was lost: the payment is PENDING.
    const { escrowId, payment: lost } = await payout('14.00', 'silent');
    expect(lost.status).toBe('PENDING');
    const ref = api.t.platform.psp.outcomeOf(lost.id)!.pspRef;
    const unknownRef = `SIM-${randomUUID()}`;
    const unknown = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: unknownRef,
    });
    expect(unknown.json()).toMatchObject({ outcome: 'parked' });
    const early = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: ref,
    });
    expect(early.json()).toMatchObject({ outcome: 'parked' });
    // The reference is recorded as the sender records it, by a process that died before it could
    // apply the webhooks parked for it.
    const meta = systemMetadata('system:test');
    await api.t.platform.commands.execute({
      streamId: `escrow-${escrowId}`,
      decider: escrowDecider,
      command: {
        type: 'RecordPaymentSent',
        escrowId,
        paymentId: lost.id,
        pspRef: ref,
        now: meta.now.toISOString(),
      },
      metadata: meta,
      claims: [await pspRefClaim(api.t.platform, ref, escrowId, 'payment', lost.id)],
    });
    await caughtUp();
    expect(await payment(lost.id)).toMatchObject({ status: 'SENT', psp_ref: ref });

    const job = recovery();
    expect(await job.run({ now: new Date(Date.now() + 60_000) })).toBe(
      'payments: none; webhooks: 1 still parked, 1 applied; deposits: none',
    );
    expect(await payment(lost.id)).toMatchObject({ status: 'SETTLED' });
    await caughtUp();
    const statuses = await api.t.platform.db
      .selectFrom('psp_webhooks')
      .select(['psp_ref', 'status'])
      .where('status', 'in', ['parked', 'received'])
      .execute();
    expect(statuses).toEqual([{ psp_ref: unknownRef, status: 'parked' }]);
    expect(await job.run({ now: new Date(Date.now() + 60_000) })).toBe(
      'payments: none; webhooks: 1 still parked; deposits: none',
    );
  });
});
