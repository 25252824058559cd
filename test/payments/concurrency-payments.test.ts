/**
 * Contention on the money routes (API-RULES.md §5): inside one process, parallel commands on an
 * escrow are queued and each gets its business answer (20 releases of one milestone pay once and
 * all answer that payout; approve racing reject: one wins, the other is ESCROW_CLOSED); across
 * processes the append's expected revision decides, conflicts are retried on a fresh state, and
 * the result is still exactly right: shown over HTTP with two app instances on one database, and
 * at the port level with several `CommandRunner`s on their own connection pools whose caches are
 * warmed to the same revision, so the race is certain rather than likely.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { escrowDecider, type EscrowCommand } from '@kob/domain';
import { systemActor } from '@kob/kernel';
import { CommandRunner, type CommandMetadata } from '@kob/platform';
import { expectErrorEnvelope, until } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  escrowEventTypes,
  expectBalancesSum,
  fundedEscrow,
  withPspMode,
} from '../support/escrow-api-extra';
import { startTestApp, type TestApp } from '../support/test-app';
import { anotherConnection, storedEventCount } from '../support/stored-events';

// Replicas verify each other's keys only with a shared secret (in test it is random per process).
const API_KEY_SECRET = randomBytes(32).toString('hex');

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi({ API_KEY_SECRET });
});
afterAll(() => api.close());

const initiatedFor = (milestoneId: string) =>
  storedEventCount(
    api.t.platform,
    (e) => e.type === 'payment.initiated.v1' && e.data.milestoneId === milestoneId,
  );

function meta(): CommandMetadata {
  const id = randomUUID();
  return {
    actor: systemActor('system:test'),
    commandId: id,
    correlationId: id,
    causationId: id,
    now: new Date(),
  };
}

/** Runners on their own pools (separate processes as far as the store can tell). */
function runners(n: number, onConflictRetry: (streamId: string) => void): CommandRunner[] {
  return Array.from(
    { length: n },
    () =>
      new CommandRunner(
        anotherConnection(api.t.platform, (n) => api.t.tdb.newPool(n)),
        {
          onConflictRetry,
        },
      ),
  );
}

const run = (runner: CommandRunner, escrowId: string, command: EscrowCommand) =>
  runner.execute({
    streamId: `escrow-${escrowId}`,
    decider: escrowDecider,
    command,
    metadata: meta(),
  });

describe('inside one process', () => {
  it('pays a milestone once when 20 releases of it arrive together, and answers each with that payout', async () => {
    const { id, milestones } = await fundedEscrow(api, {
      total: '100.00',
      milestones: ['40.00', '60.00'],
    });
    const m1 = milestones[0]!;
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.release(m1)));
    expect(answers.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    const paymentIds = new Set(answers.map((r) => r.json().id));
    expect(paymentIds.size).toBe(1);
    expect(await initiatedFor(m1)).toBe(1);
    const [paymentId] = [...paymentIds] as [string];
    expect(api.t.platform.psp.calls.filter((c) => c.idempotencyKey === paymentId)).toHaveLength(1);
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({ deposited: '100.00', paid: '40.00', held: '60.00' });
    expectBalancesSum(s.balances);
    expect(s.payments).toHaveLength(1);
    expect(s.milestones[0]).toMatchObject({ status: 'PAID' });
  });

  it('lets one of a parallel client-approve and client-reject win; the other is ESCROW_CLOSED; money is conserved', async () => {
    for (let round = 0; round < 4; round++) {
      const { id, milestones } = await fundedEscrow(api, {
        total: '100.00',
        milestones: ['25.00'],
      });
      await api.release(milestones[0]!);
      const approve = api.call('POST', `/escrows/${id}/client-approve`, api.keys.client, {});
      const reject = api.call('POST', `/escrows/${id}/client-reject`, api.keys.client, {});
      // Alternate who is sent first so both orders of the queue are seen.
      const [a, r] =
        round % 2 === 0
          ? await Promise.all([approve, reject])
          : (await Promise.all([reject, approve])).reverse();
      const winners = [a!, r!].filter((res) => res.statusCode === 200);
      const losers = [a!, r!].filter((res) => res.statusCode !== 200);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expectErrorEnvelope(losers[0]!, 409, 'ESCROW_CLOSED');
      const s = await api.summary(id);
      expect(s.escrow.status).toBe(a!.statusCode === 200 ? 'RELEASED' : 'REFUNDED');
      expectBalancesSum(s.balances);
      expect(s.balances).toMatchObject(
        a!.statusCode === 200
          ? { deposited: '100.00', paid: '100.00', refunded: '0.00', held: '0.00' }
          : { deposited: '100.00', paid: '25.00', refunded: '75.00', held: '0.00' },
      );
      const closing = (await api.t.platform.store.readStream(`escrow-${id}`)).filter((e) =>
        ['escrow.released.v1', 'escrow.refunded.v1'].includes(e.type),
      );
      expect(closing).toHaveLength(1);
    }
  });
  it('starts one retry when 10 retries of a failed payout arrive together', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const failed = (await withPspMode(api, 'fail', () => api.release(milestones[0]!))).json();
    expect(failed.status).toBe('ERROR');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.call('POST', `/payments/${failed.id}/retry`, api.keys.support),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    const types = await escrowEventTypes(api, id);
    expect(types.filter((t) => t === 'payment.retried.v1')).toHaveLength(1);
    expect(types.filter((t) => t === 'payment.initiated.v1')).toHaveLength(2);
    const s = await api.summary(id);
    expect(s.balances).toMatchObject({ paid: '10.00', failed: '0.00', held: '0.00' });
    expect(s.escrow.status).toBe('RELEASED');
  });

  it('records one sending when 10 executes of a PENDING payout arrive together', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const pending = (await withPspMode(api, 'timeout', () => api.release(milestones[0]!))).json();
    expect(pending.status).toBe('PENDING');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        api.call('POST', `/payments/execute/${pending.id}`, api.keys.support),
      ),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(10).fill(200));
    const refs = new Set(answers.map((r) => r.json().psp_ref));
    expect(refs).toEqual(new Set([api.t.platform.psp.outcomeOf(pending.id)!.pspRef]));
    expect(answers.every((r) => r.json().status === 'SENT')).toBe(true);
    const types = await escrowEventTypes(api, id);
    expect(types.filter((t) => t === 'payment.sent.v1')).toHaveLength(1);
    expect(types.filter((t) => t === 'milestone.paid.v1')).toHaveLength(1);
  });
});

describe('across processes', () => {
  let other: TestApp;
  beforeAll(async () => {
    other = await startTestApp({
      database: api.t.tdb,
      env: { API_KEY_SECRET, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3' },
    });
  });
  afterAll(() => other.closeApp());

  it('pays a milestone once when releases arrive at two app instances at once', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '30.00', milestones: ['30.00'] });
    const m1 = milestones[0]!;
    const onOther = () =>
      other.app.inject({
        method: 'POST',
        url: `/escrows/milestones/${m1}/release`,
        headers: { 'x-api-key': api.keys.client },
      });
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? api.release(m1) : onOther())),
    );
    expect(answers.map((r) => r.statusCode)).toEqual(Array(16).fill(200));
    expect(new Set(answers.map((r) => r.json().id)).size).toBe(1);
    expect(await initiatedFor(m1)).toBe(1);
    const paymentId = answers[0]!.json().id as string;
    const transfers = [api.t.platform.psp, other.platform.psp].flatMap((p) =>
      p.calls.filter((c) => c.idempotencyKey === paymentId),
    );
    expect(transfers).toHaveLength(1);
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('RELEASED');
    expect(s.balances).toMatchObject({ deposited: '30.00', paid: '30.00', held: '0.00' });
  });

  it('refuses a deposit on a replica whose cached escrow another replica closed, without asking the PSP', async () => {
    // Funded and released on this replica, so its cache holds the escrow open; the other closes it.
    const { id, milestones } = await fundedEscrow(api, {
      total: '100.00',
      milestones: ['25.00'],
      deposit: '50.00',
    });
    await api.release(milestones[0]!);
    const rejected = await other.app.inject({
      method: 'POST',
      url: `/escrows/${id}/client-reject`,
      headers: { 'x-api-key': api.keys.client, 'content-type': 'application/json' },
      payload: {},
    });
    expect(rejected.statusCode).toBe(200);
    const collects = () => api.t.platform.psp.calls.filter((c) => c.kind === 'collect').length;
    const before = collects();
    // Checked on the stale cache (the client, the currency: true either way), refused by the
    // initiation's append on the stream as it is.
    const res = await api.deposit(id, '10.00');
    expectErrorEnvelope(res, 409, 'ESCROW_CLOSED');
    expect(collects()).toBe(before);
    const initiated = (await api.t.platform.store.readStream(`escrow-${id}`)).filter(
      (e) => e.type === 'escrow.deposit_initiated.v1',
    );
    expect(initiated).toHaveLength(1);
  });

  it('answers a read on one replica as soon as the other replica has projected the payout it waits for', async () => {
    const { id, milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    // Hold this replica's projector back (it reads `$all` through its store) so that the other
    // replica certainly projects the release first.
    const store = api.t.platform.store;
    const readAll = store.readAll.bind(store);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    store.readAll = async (...args) => {
      await gate;
      return readAll(...args);
    };
    let waitedMs: number;
    let read;
    try {
      const released = await other.app.inject({
        method: 'POST',
        url: `/escrows/milestones/${milestones[0]}/release`,
        headers: { 'x-api-key': api.keys.client },
      });
      expect(released.statusCode).toBe(200);
      const position = released.headers['x-event-position'] as string;
      expect(position).toEqual(expect.any(String));
      const started = Date.now();
      const query = api.call('GET', `/escrows/${id}/payments`, api.keys.client, undefined, {
        'x-min-event-position': position,
      });
      await until(
        'the read to wait for the projections',
        () => api.t.platform.projections.waiting > 0,
      );
      open();
      read = await query;
      waitedMs = Date.now() - started;
    } finally {
      open();
      store.readAll = readAll;
    }
    expect(read.statusCode).toBe(200);
    expect(read.headers['x-projection-pending']).toBeUndefined();
    expect(read.json().items).toMatchObject([{ kind: 'payout', amount: '10.00', status: 'SENT' }]);
    // The other replica had already applied it: this one only has to notice (a poll or two), not
    // sit out the whole read-your-writes bound (limits.readYourWritesWaitMaxMs, 5 s).
    expect(waitedMs).toBeLessThan(1_000);
  });

  it('retries a release that lost the race on a warm cache and does not pay twice', async () => {
    const { id, milestones } = await fundedEscrow(api, {
      total: '100.00',
      milestones: ['40.00', '60.00'],
    });
    const m1 = milestones[0]!;
    const retried: string[] = [];
    const [a, b] = runners(2, (s) => retried.push(s)) as [CommandRunner, CommandRunner];
    // Both caches at the same revision: whichever appends second decides on a stale state and
    // must conflict, whatever the timing.
    const warm = await Promise.all([
      a.read(`escrow-${id}`, escrowDecider),
      b.read(`escrow-${id}`, escrowDecider),
    ]);
    expect(warm[0].revision).toBe(warm[1].revision);
    const release = (paymentId: string): EscrowCommand => ({
      type: 'ApproveAndPayMilestone',
      escrowId: id,
      milestoneId: m1,
      paymentId,
      source: 'release',
      now: new Date().toISOString(),
    });
    const [ra, rb] = await Promise.all([
      run(a, id, release(randomUUID())),
      run(b, id, release(randomUUID())),
    ]);
    expect(retried).toEqual([`escrow-${id}`]);
    // One decided the payout; the loser, on the fresh state, found the milestone PAYING.
    expect([ra.events.length, rb.events.length].sort()).toEqual([0, 2]);
    expect(await initiatedFor(m1)).toBe(1);
    const winner = (ra.events.length ? ra : rb).events.find(
      (e) => e.type === 'payment.initiated.v1',
    )!.data as { paymentId: string };
    // The winner's payout is sent as the API would (after the append, outside the runner).
    const sent = await api.t.payments.sender.send(id, winner.paymentId, meta());
    expect(sent.payment).toMatchObject({ status: 'SENT', amount: '40.00' });
    const s = await api.summary(id);
    expect(s.payments).toHaveLength(1);
    expect(s.balances).toMatchObject({ deposited: '100.00', paid: '40.00', held: '60.00' });
    expectBalancesSum(s.balances);
    expect(s.milestones.map((m: { status: string }) => m.status)).toEqual(['PAID', 'WAITING']);
  });

  it('retries PSP-confirmed deposits from three runners on one stream, keeping every one exactly once', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const retried: string[] = [];
    const rs = runners(3, (s) => retried.push(s));
    await Promise.all(rs.map((r) => r.read(`escrow-${id}`, escrowDecider)));
    const deposit = (amount: string): EscrowCommand => ({
      type: 'Deposit',
      escrowId: id,
      depositId: randomUUID(),
      amount,
      pspConfirmed: { pspRef: `SIM-${randomUUID()}`, reported: { amount, currency: 'USD' } },
      refundPaymentId: randomUUID(),
      now: new Date().toISOString(),
    });
    // Each runner queues its own two deposits; the three runners race on the append.
    const results = await Promise.all(
      rs.flatMap((r) => [run(r, id, deposit('10.00')), run(r, id, deposit('20.00'))]),
    );
    // All three decided on the same revision first: at least two of them lost and retried.
    expect(retried.length).toBeGreaterThanOrEqual(2);
    expect(new Set(retried)).toEqual(new Set([`escrow-${id}`]));
    for (const r of results)
      expect(r.events.map((e) => e.type)).toEqual([
        'escrow.deposit_initiated.v1',
        'escrow.deposit_confirmed.v1',
      ]);
    const s = await api.summary(id);
    expect(s.escrow.status).toBe('DRAFT');
    expect(s.balances).toMatchObject({
      deposited: '90.00',
      held: '90.00',
      pending_deposits: '0.00',
    });
    expect(s.deposits).toHaveLength(6);
    expectBalancesSum(s.balances);
  });

  it('refunds a PSP-confirmed deposit that lost the race and no longer fits the total', async () => {
    const id = await api.escrow({ amount_total: '100.00' });
    const retried: string[] = [];
    const [a, b] = runners(2, (s) => retried.push(s)) as [CommandRunner, CommandRunner];
    await Promise.all([
      a.read(`escrow-${id}`, escrowDecider),
      b.read(`escrow-${id}`, escrowDecider),
    ]);
    const deposit = (): EscrowCommand => ({
      type: 'Deposit',
      escrowId: id,
      depositId: randomUUID(),
      amount: '60.00',
      pspConfirmed: {
        pspRef: `SIM-${randomUUID()}`,
        reported: { amount: '60.00', currency: 'USD' },
      },
      refundPaymentId: randomUUID(),
      now: new Date().toISOString(),
    });
    // Each check passed on its own (60 ≤ 100); the money was collected for both.
    const results = await Promise.all([run(a, id, deposit()), run(b, id, deposit())]);
    expect(retried).toEqual([`escrow-${id}`]);
    const types = results.map((r) => r.events.map((e) => e.type));
    expect(types).toContainEqual(['escrow.deposit_initiated.v1', 'escrow.deposit_confirmed.v1']);
    expect(types).toContainEqual([
      'escrow.deposit_initiated.v1',
      'escrow.deposit_confirmed.v1',
      'payment.initiated.v1',
    ]);
    const s = await api.summary(id);
    // Both recorded; the one above the total is given back; nothing kept beyond the total.
    expect(s.balances).toMatchObject({ deposited: '120.00', refunded: '60.00', held: '60.00' });
    expectBalancesSum(s.balances);
    expect(s.payments).toMatchObject([
      {
        kind: 'refund',
        amount: '60.00',
        reason: 'deposit_above_total',
        beneficiary_id: api.ids.client,
      },
    ]);
    expect(s.deposits.map((d: { status: string }) => d.status).sort()).toEqual([
      'CONFIRMED',
      'REFUNDED',
    ]);
  });
});
