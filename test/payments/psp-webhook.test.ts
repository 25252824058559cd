/**
 * `POST /psp/webhook` (KOBATELA-SPEC §4.11, API-RULES.md §3/§6): HMAC over "<timestamp>.<raw
 * body>" with the primary or next secret, drift, missing headers, duplicates answered 200
 * `duplicate` before and after a restart (the replay guard is in the event store), unknown
 * references parked and applied once the reference is recorded, states moved only along §3's
 * arrows (a failed payment never settles), deposits confirmed by webhook (and refunded when the
 * escrow closed first), and 503 in development when no secret is configured.
 */
import { randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, newAdminKey, startEscrowApi } from '../support/escrow-api';
import { startTestApp } from '../support/test-app';
import { storedEventCount } from '../support/stored-events';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const eventCount = () => storedEventCount(api.t.platform);

/** A funded escrow with one milestone released: its payout is SENT, returns [escrowId, payment]. */
async function sentPayout(amount = '10.00'): Promise<[string, Record<string, any>]> {
  const id = await api.escrow({ amount_total: amount });
  const m = await api.milestone(id, 1, amount);
  await api.deposit(id, amount);
  const payout = (await api.release(m)).json();
  expect(payout.status).toBe('SENT');
  return [id, payout];
}

const payment = async (id: string) =>
  (await api.call('GET', `/payments/${id}`, api.keys.admin)).json();

describe('PSP webhook', () => {
  it('settles a sent payment, and answers a second delivery as a duplicate that changes nothing', async () => {
    const [, payout] = await sentPayout();
    const eventId = `evt-${randomUUID()}`;
    const body = { event_id: eventId, type: 'payment.settled', psp_ref: payout.psp_ref };
    const res = await api.webhook(body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      ok: 'true',
      event_id: eventId,
      processed_at: expect.any(String),
      outcome: 'applied',
    });
    expect(await payment(payout.id)).toMatchObject({ status: 'SETTLED' });
    const before = await eventCount();
    const again = await api.webhook(body);
    expect(again.json()).toEqual({
      ok: 'true',
      event_id: eventId,
      processed_at: res.json().processed_at,
      outcome: 'applied',
      duplicate: true,
    });
    expect(await eventCount()).toBe(before);
  });

  it('refuses missing headers, bad timestamps, drift and wrong signatures with 401, recording nothing', async () => {
    const [, payout] = await sentPayout();
    const body = {
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: payout.psp_ref,
    };
    const before = await eventCount();
    const raw = JSON.stringify(body);
    const bare = await api.t.app.inject({
      method: 'POST',
      url: '/psp/webhook',
      headers: { 'content-type': 'application/json' },
      payload: raw,
    });
    expectErrorEnvelope(bare, 401, 'WEBHOOK_SIGNATURE_MISSING');
    expectErrorEnvelope(
      await api.webhook(body, { timestamp: 'yesterday' }),
      401,
      'WEBHOOK_TIMESTAMP_INVALID',
    );
    const old = String(Math.trunc(Date.now() / 1000) - 400);
    const drift = expectErrorEnvelope(
      await api.webhook(body, { timestamp: old }),
      401,
      'WEBHOOK_TIMESTAMP_DRIFT',
    );
    expect(drift.details).toMatchObject({ max_drift_seconds: 300 });
    expectErrorEnvelope(
      await api.webhook(body, { secret: 'not-the-secret' }),
      401,
      'WEBHOOK_SIGNATURE_INVALID',
    );
    expect(await eventCount()).toBe(before);
    expect(await payment(payout.id)).toMatchObject({ status: 'SENT' });
  });

  it('needs an event id and a JSON object, after the signature', async () => {
    expectErrorEnvelope(
      await api.webhook({ type: 'payment.settled', psp_ref: 'x' }),
      400,
      'MISSING_EVENT_ID',
    );
    const ts = String(Math.trunc(Date.now() / 1000));
    const { signWebhook } = await import('@kob/psp');
    const { TEST_WEBHOOK_SECRET } = await import('../support/test-app');
    const res = await api.t.app.inject({
      method: 'POST',
      url: '/psp/webhook',
      headers: {
        'content-type': 'application/json',
        'x-psp-timestamp': ts,
        'x-psp-signature': signWebhook(TEST_WEBHOOK_SECRET, ts, '{"broken"'),
      },
      payload: '{"broken"',
    });
    expectErrorEnvelope(res, 400, 'MALFORMED_JSON');
    expectErrorEnvelope(
      await api.webhook({ event_id: 'x', psp_ref: { nested: true } }),
      422,
      'VALIDATION_ERROR',
    );
    // The event id may come from `id` or the X-PSP-Event-Id header, as the old service read it.
    const byHeader = await api.webhook(
      { type: 'something.else' },
      { headers: { 'x-psp-event-id': `evt-${randomUUID()}` } },
    );
    expect(byHeader.json()).toMatchObject({ ok: 'true', outcome: 'ignored' });
  });

  it('acts only on a reference in the signed body, never on the X-PSP-Ref header alone', async () => {
    const [, first] = await sentPayout();
    const [, other] = await sentPayout();
    // A signed body naming no reference: replayed with another payment's reference in a header
    // (which the signature does not cover), it must move nothing.
    const body = { type: 'payment.failed' };
    const replayed = await api.webhook(body, {
      headers: { 'x-psp-event-id': `evt-${randomUUID()}`, 'x-psp-ref': other.psp_ref },
    });
    expect(replayed.json()).toMatchObject({ ok: 'true', outcome: 'ignored' });
    expect(await payment(other.id)).toMatchObject({ status: 'SENT' });
    // With the reference in the body, a header naming another payment changes nothing either.
    const signed = {
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: first.psp_ref,
    };
    expect(
      (await api.webhook(signed, { headers: { 'x-psp-ref': other.psp_ref } })).json(),
    ).toMatchObject({ outcome: 'applied' });
    expect(await payment(first.id)).toMatchObject({ status: 'SETTLED' });
    expect(await payment(other.id)).toMatchObject({ status: 'SENT' });
    // Blank values are absent: an empty event_id falls back to `id`, a blank psp_ref names nothing.
    const blank = await api.webhook({
      event_id: '',
      id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: '   ',
    });
    expect(blank.json()).toMatchObject({ ok: 'true', outcome: 'ignored' });
  });

  it('parks an event for a reference not recorded yet and applies it once the payment records it', async () => {
    const id = await api.escrow({ amount_total: '10.00' });
    const m = await api.milestone(id, 1, '10.00');
    await api.deposit(id, '10.00');
    const psp = api.t.platform.psp;
    psp.mode = 'silent';
    psp.answerTimeoutMs = 20;
    let payout;
    try {
      payout = (await api.release(m)).json();
    } finally {
      psp.mode = 'accept';
    }
    expect(payout.status).toBe('PENDING');
    // The PSP did pay and will report it; the answer carrying the reference was lost.
    const ref = psp.outcomeOf(payout.id)!.pspRef;
    const early = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: ref,
    });
    expect(early.json()).toMatchObject({ ok: 'true', outcome: 'parked' });
    expect(await payment(payout.id)).toMatchObject({ status: 'PENDING' });
    const executed = await api.call('POST', `/payments/execute/${payout.id}`, api.keys.support);
    expect(executed.json()).toMatchObject({ status: 'SETTLED', psp_ref: ref });
    expect((await api.summary(id)).escrow.status).toBe('RELEASED');
  });

  it('fails a sent payment, never settles it afterwards, and the retry pays it', async () => {
    const [escrowId, payout] = await sentPayout();
    const failed = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.failed',
      psp_ref: payout.psp_ref,
    });
    expect(failed.json()).toMatchObject({ outcome: 'applied' });
    expect(await payment(payout.id)).toMatchObject({ status: 'ERROR' });
    const late = await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment_succeeded',
      psp_ref: payout.psp_ref,
    });
    expect(late.json()).toMatchObject({ ok: 'true', outcome: 'ignored' });
    expect(await payment(payout.id)).toMatchObject({ status: 'ERROR' });
    const s = await api.summary(escrowId);
    expect(s.balances).toMatchObject({ paid: '0.00', failed: '10.00', held: '0.00' });
    expect(s.milestones[0].status).toBe('PAYING');
    const retry = await api.call('POST', `/payments/${payout.id}/retry`, api.keys.support);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({ retry_of: payout.id, status: 'SENT', amount: '10.00' });
    const after = await api.summary(escrowId);
    expect(after.balances).toMatchObject({ paid: '10.00', failed: '0.00', held: '0.00' });
    expect(after.milestones[0].status).toBe('PAID');
    expect(after.escrow.status).toBe('RELEASED');
  });

  it('confirms a deposit by webhook, and refunds one confirmed after the escrow closed', async () => {
    const psp = api.t.platform.psp;
    psp.collections = 'webhook';
    try {
      const id = await api.escrow({ amount_total: '50.00' });
      const d1 = (await api.deposit(id, '20.00')).json().deposit;
      expect(d1).toMatchObject({ status: 'PENDING', psp_ref: expect.stringMatching(/^SIM-/) });
      const confirmed = await api.webhook({
        event_id: `evt-${randomUUID()}`,
        type: 'deposit.confirmed',
        psp_ref: d1.psp_ref,
        amount: '20.00',
        currency: 'USD',
      });
      expect(confirmed.json()).toMatchObject({ outcome: 'applied' });
      expect((await api.summary(id)).balances).toMatchObject({ deposited: '20.00', held: '20.00' });
      const d2 = (await api.deposit(id, '30.00')).json().deposit;
      await api.call('POST', `/escrows/${id}/client-reject`, api.keys.client);
      const late = await api.webhook({
        event_id: `evt-${randomUUID()}`,
        type: 'deposit.confirmed',
        psp_ref: d2.psp_ref,
        amount: '30.00',
        currency: 'USD',
      });
      expect(late.json()).toMatchObject({ outcome: 'applied' });
      const s = await api.summary(id);
      expect(s.escrow.status).toBe('CANCELLED');
      expect(s.balances).toMatchObject({ deposited: '50.00', refunded: '50.00', held: '0.00' });
      expect(s.deposits.find((d: { id: string }) => d.id === d2.id)).toMatchObject({
        status: 'REFUNDED',
      });
      expect(
        s.payments
          .filter((p: { kind: string }) => p.kind === 'refund')
          .map((p: { amount: string; status: string }) => [p.amount, p.status]),
      ).toEqual([
        ['20.00', 'SENT'],
        ['30.00', 'SENT'],
      ]);
    } finally {
      psp.collections = 'sync';
    }
  });

  it('keeps the replay guard across a restart, and accepts the next secret while rotating', async () => {
    const [, payout] = await sentPayout();
    const body = {
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: payout.psp_ref,
    };
    expect((await api.webhook(body)).json()).toMatchObject({ outcome: 'applied' });
    const next = 'the-next-webhook-secret-0123456789';
    const restarted = await startTestApp({
      database: api.t.tdb,
      env: { PSP_WEBHOOK_SECRET_NEXT: next },
    });
    try {
      const raw = JSON.stringify(body);
      const ts = String(Math.trunc(Date.now() / 1000));
      const { signWebhook } = await import('@kob/psp');
      const res = await restarted.app.inject({
        method: 'POST',
        url: '/psp/webhook',
        headers: {
          'content-type': 'application/json',
          'x-psp-timestamp': ts,
          'x-psp-signature': signWebhook(next, ts, raw),
        },
        payload: raw,
      });
      expect(res.json()).toMatchObject({ ok: 'true', duplicate: true });
      const health = (await restarted.app.inject({ method: 'GET', url: '/health' })).json();
      expect(health.psp_webhook_secret_status).toBe('rotating');
    } finally {
      await restarted.closeApp();
    }
    expect((await api.call('GET', '/health', null)).json().psp_webhook_secret_status).toBe('ok');
  });

  it('answers 503 in development when no secret is configured', async () => {
    const dev = await startTestApp({
      env: {
        APP_ENV: 'development',
        PSP_WEBHOOK_SECRET: '',
        API_KEY_SECRET: 'a-development-secret-of-32-chars-or-more',
        BOOTSTRAP_ADMIN_API_KEY: newAdminKey(),
      },
    });
    try {
      const res = await dev.app.inject({
        method: 'POST',
        url: '/psp/webhook',
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      });
      expectErrorEnvelope(res, 503, 'PSP_WEBHOOK_NOT_CONFIGURED');
      expect(
        (await dev.app.inject({ method: 'GET', url: '/health' })).json().psp_webhook_secret_status,
      ).toBe('missing');
    } finally {
      await dev.close();
    }
  });
});
