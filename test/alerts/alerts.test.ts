/**
 * `GET /alerts` and the alerts money raises by itself (API-RULES.md §6): a payout the PSP
 * declines and a sent payout a webhook reports failed each raise one PAYMENT_FAILED, committed
 * with the failure; the webhook delivered again, a retry of the payment that then succeeds and
 * the recovery job raise nothing more. The list filters by type (an unknown type is a 422), pages,
 * and is newest first.
 */
import { randomBytes } from 'node:crypto';
import { expectErrorEnvelope, until } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedEscrow, withPspMode } from '../support/escrow-api-extra';
import { onEventStoreDb, storedEvents } from '../support/stored-events';

let api: EscrowApi;

beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

async function alerts(
  query = '',
): Promise<{ items: Record<string, any>[]; total: number; limit: number; offset: number }> {
  const res = await api.call('GET', `/alerts${query}`, api.keys.auditor);
  expect(res.statusCode).toBe(200);
  return res.json();
}

const failedAlertsFor = async (paymentId: string) =>
  (await alerts('?type=PAYMENT_FAILED&limit=200')).items.filter(
    (a) => a.payload.payment_id === paymentId,
  );

describe('PAYMENT_FAILED', () => {
  it('a payout the PSP declines raises one alert with the payment; its retry raises none', async () => {
    const { milestones } = await fundedEscrow(api, {
      total: '50.00',
      milestones: ['20.00', '30.00'],
    });
    const res = await withPspMode(api, 'fail', () => api.release(milestones[0]!));
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('ERROR');
    const paymentId = res.json().id as string;
    const [alert, ...more] = await failedAlertsFor(paymentId);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      type: 'PAYMENT_FAILED',
      actor: api.keys.client.split('.')[0],
      payload: {
        payment_id: paymentId,
        kind: 'payout',
        amount: '20.00',
        currency: 'USD',
        after_sent: false,
      },
    });
    const rows = (await storedEvents(api.t.platform)).filter(
      (e) =>
        e.streamId === `alert-${alert!.id}` ||
        (e.type === 'payment.failed.v1' && e.data.paymentId === paymentId),
    );
    expect(rows.map((e) => e.type).sort()).toEqual(['alert.raised.v1', 'payment.failed.v1']);
    if (onEventStoreDb(api.t.platform)) {
      expect(rows.map((e) => e.type)).toEqual(['payment.failed.v1', 'alert.raised.v1']);
      // No multi-stream transaction: the alert follows the failure, named in its metadata as a
      // consequence (the recovery job writes it if the writer died in between).
      expect(rows[0]!.metadata.consequences).toEqual([
        expect.objectContaining({ streamId: `alert-${alert!.id}` }),
      ]);
    } else {
      // Committed with the failure itself: one transaction, so neither exists without the other.
      expect(new Set(rows.map((r) => r.position.tx)).size).toBe(1);
    }
    const retry = await api.call('POST', `/payments/${paymentId}/retry`, api.keys.support, {});
    expect(retry.statusCode).toBe(201);
    expect(retry.json().status).toBe('SENT');
    expect(await failedAlertsFor(paymentId)).toHaveLength(1);
    expect(await failedAlertsFor(retry.json().id)).toHaveLength(0);
  });

  it('a sent payout a webhook reports failed raises one alert; the webhook again raises none', async () => {
    const { milestones } = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
    const paid = (await api.release(milestones[0]!)).json();
    expect(paid.status).toBe('SENT');
    const body = {
      event_id: `evt-${randomBytes(4).toString('hex')}`,
      type: 'payment.failed',
      psp_ref: paid.psp_ref,
    };
    expect((await api.webhook(body)).statusCode).toBe(200);
    await until('the failure alert', async () => (await failedAlertsFor(paid.id)).length === 1);
    expect((await api.webhook(body)).json()).toMatchObject({ duplicate: true });
    const [alert, ...more] = await failedAlertsFor(paid.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({
      actor: 'psp:webhook',
      payload: { payment_id: paid.id, after_sent: true },
    });
  });
});

describe('GET /alerts', () => {
  it('filters by type, pages, newest first, and refuses an unknown type', async () => {
    for (let i = 0; i < 3; i++) {
      const { milestones } = await fundedEscrow(api, { total: '5.00', milestones: ['5.00'] });
      await withPspMode(api, 'fail', () => api.release(milestones[0]!));
    }
    const all = await alerts('?type=PAYMENT_FAILED');
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.items.every((a) => a.type === 'PAYMENT_FAILED')).toBe(true);
    const times = all.items.map((a) => a.created_at);
    expect([...times].sort().reverse()).toEqual(times);
    const page = await alerts('?type=PAYMENT_FAILED&limit=1&offset=1');
    expect(page).toMatchObject({ limit: 1, offset: 1, total: all.total });
    expect(page.items).toEqual([all.items[1]]);
    expect(
      (await alerts('?type=UNAUTHORIZED_TRANSFER_ATTEMPT')).items.every(
        (a) => a.type === 'UNAUTHORIZED_TRANSFER_ATTEMPT',
      ),
    ).toBe(true);
    expectErrorEnvelope(
      await api.call('GET', '/alerts?type=NOPE', api.keys.support),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await api.call('GET', '/alerts?limit=500', api.keys.support),
      422,
      'VALIDATION_ERROR',
    );
    expectErrorEnvelope(
      await api.call('GET', '/alerts', api.keys.client),
      403,
      'INSUFFICIENT_SCOPE',
    );
  });
});
