/**
 * The payment side of FRONTEND-CONTRACT.md over HTTP: `GET /admin/payments` (§6.3: support,
 * auditor and admin; every payment of every kind, newest first, in the list envelope, filtered by
 * status, escrow and payment id) and D4 (a failed payment is `ERROR` in every answer that carries
 * it, `FAILED` being taken as a synonym by the status filter, A5), while the events, the read
 * model, the `failed` balance and deposit statuses keep `FAILED`.
 *
 * The world, built once: escrow A with a payout SETTLED (p1), one declined (p2, ERROR), its retry
 * SENT (p4) and a payout the PSP left PENDING (p3); escrow B rejected by its client with its
 * refund declined (rB); escrow C with a PENDING payout that execute then sees declined (pc) and
 * a retry declined again (pc2).
 */
import { randomUUID } from 'node:crypto';
import type { Response } from 'light-my-request';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, type RoleName, startEscrowApi } from '../support/escrow-api';
import { escrowEventTypes, fundedEscrow, withPspMode } from '../support/escrow-api-extra';

let api: EscrowApi;
const ids = {} as Record<'a' | 'b' | 'c' | 'p1' | 'p2' | 'p3' | 'p4' | 'rB' | 'pc' | 'pc2', string>;
/** The answers of the calls that made or moved a failed payment, as they came. */
const answers = {} as Record<'release' | 'reject' | 'execute' | 'retry', Response>;

const ok = (res: Response, status = 200): Record<string, any> => {
  expect({ status: res.statusCode, body: res.body }).toEqual({ status, body: expect.any(String) });
  return res.json();
};

beforeAll(async () => {
  api = await startEscrowApi();
  const a = await fundedEscrow(api, { total: '60.00', milestones: ['10.00', '20.00', '30.00'] });
  const [m1, m2, m3] = a.milestones as [string, string, string];
  const p1 = ok(await api.release(m1));
  ok(
    await api.webhook({
      event_id: `evt-${randomUUID()}`,
      type: 'payment.settled',
      psp_ref: p1.psp_ref,
    }),
  );
  answers.release = await withPspMode(api, 'fail', () => api.release(m2));
  const p2 = ok(answers.release).id as string;
  const p4 = ok(await api.call('POST', `/payments/${p2}/retry`, api.keys.support), 201);
  const p3 = ok(await withPspMode(api, 'timeout', () => api.release(m3)));

  const b = await fundedEscrow(api, { total: '15.00' });
  answers.reject = await withPspMode(api, 'fail', () =>
    api.call('POST', `/escrows/${b.id}/client-reject`, api.keys.client, {}),
  );
  const rB = ok(answers.reject).payments[0].id as string;

  const c = await fundedEscrow(api, { total: '10.00', milestones: ['10.00'] });
  const pc = ok(await withPspMode(api, 'timeout', () => api.release(c.milestones[0]!))).id;
  answers.execute = await withPspMode(api, 'fail', () =>
    api.call('POST', `/payments/execute/${pc}`, api.keys.support),
  );
  answers.retry = await withPspMode(api, 'fail', () =>
    api.call('POST', `/payments/${pc}/retry`, api.keys.admin),
  );
  const pc2 = ok(answers.retry, 201).id as string;
  Object.assign(ids, {
    a: a.id,
    b: b.id,
    c: c.id,
    p1: p1.id,
    p2,
    p3: p3.id,
    p4: p4.id,
    rB,
    pc,
    pc2,
  });
});
afterAll(() => api.close());

const list = (query: string, key: string | null = api.keys.support) =>
  api.call('GET', `/admin/payments${query}`, key);
/** The ids a listing answers, in its order (and a 200 it must be). */
const idsOf = async (query: string, key?: string | null): Promise<string[]> =>
  (ok(await list(query, key)).items as { id: string }[]).map((p) => p.id);

describe('GET /admin/payments', () => {
  it('answers the envelope of every payment of every kind, newest first, as GET /payments/{id} shows each', async () => {
    const page = ok(await list(''));
    expect({ total: page.total, limit: page.limit, offset: page.offset }).toEqual({
      total: 7,
      limit: 50,
      offset: 0,
    });
    const { p1, p2, p3, p4, rB, pc, pc2 } = ids;
    expect(page.items.map((p: Record<string, string>) => [p.id, p.kind, p.status])).toEqual([
      [pc2, 'payout', 'ERROR'],
      [pc, 'payout', 'ERROR'],
      [rB, 'refund', 'ERROR'],
      [p3, 'payout', 'PENDING'],
      [p4, 'payout', 'SENT'],
      [p2, 'payout', 'ERROR'],
      [p1, 'payout', 'SETTLED'],
    ]);
    for (const item of page.items as Record<string, unknown>[]) {
      // What the detail page reads (§6.3), each present.
      for (const field of [
        'id',
        'escrow_id',
        'milestone_id',
        'amount',
        'status',
        'psp_ref',
        'idempotency_key',
        'created_at',
        'updated_at',
      ])
        expect({ id: item.id, field, present: field in item }).toEqual({
          id: item.id,
          field,
          present: true,
        });
      expect(item).toEqual(ok(await api.call('GET', `/payments/${item.id}`, api.keys.admin)));
    }
    expect(page.items[6]).toMatchObject({
      escrow_id: ids.a,
      amount: '10.00',
      currency: 'USD',
      psp_ref: expect.stringMatching(/^SIM-/),
      idempotency_key: p1,
    });
  });

  it('pages with limit and offset (1–200) and counts everything in total', async () => {
    const all = await idsOf('?limit=200');
    expect(all).toHaveLength(7);
    expect(await idsOf('?limit=2&offset=1')).toEqual(all.slice(1, 3));
    expect(await idsOf('?limit=3&offset=6')).toEqual(all.slice(6));
    expect(await idsOf('?offset=7')).toEqual([]);
    // The dashboard's counter.
    expect(ok(await list('?limit=1'))).toMatchObject({ total: 7, limit: 1, offset: 0 });
    for (const bad of ['limit=0', 'limit=201', 'limit=x', 'offset=-1'])
      expectErrorEnvelope(await list(`?${bad}`), 422, 'VALIDATION_ERROR');
  });

  it('filters by status with the answers’ names, FAILED being ERROR; an unknown status is a 422', async () => {
    const { p1, p2, p3, p4, rB, pc, pc2 } = ids;
    const failed = [pc2, pc, rB, p2];
    expect(await idsOf('?status=ERROR')).toEqual(failed);
    expect(await idsOf('?status=FAILED')).toEqual(failed);
    expect(ok(await list('?status=FAILED&limit=1')).total).toBe(4);
    expect(await idsOf('?status=PENDING')).toEqual([p3]);
    expect(await idsOf('?status=SENT')).toEqual([p4]);
    expect(await idsOf('?status=SETTLED')).toEqual([p1]);
    for (const bad of ['REFUNDED', 'CONFIRMED', 'error', ''])
      expect(
        expectErrorEnvelope(await list(`?status=${bad}`), 422, 'VALIDATION_ERROR').details,
      ).toMatchObject({ fields: { status: expect.any(Array) } });
  });

  it('filters by escrow (a UUID, any case; anything else is a 422)', async () => {
    const { p1, p2, p3, p4, rB } = ids;
    expect(await idsOf(`?escrow_id=${ids.a}`)).toEqual([p3, p4, p2, p1]);
    expect(await idsOf(`?escrow_id=${ids.a.toUpperCase()}`)).toEqual([p3, p4, p2, p1]);
    expect(await idsOf(`?escrow_id=${ids.b}`)).toEqual([rB]);
    expect(await idsOf(`?escrow_id=${ids.a}&status=FAILED`)).toEqual([p2]);
    expect(await idsOf(`?escrow_id=${ids.b}&status=SETTLED`)).toEqual([]);
    expect(ok(await list(`?escrow_id=${randomUUID()}`))).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
    expect(
      expectErrorEnvelope(await list('?escrow_id=nope'), 422, 'VALIDATION_ERROR').details,
    ).toMatchObject({ fields: { escrow_id: expect.any(Array) } });
  });

  it('filters by payment id through payment_id and id, as the detail page sends them', async () => {
    const { p2, p4 } = ids;
    expect(await idsOf(`?limit=100&payment_id=${p2}&id=${p2}`)).toEqual([p2]);
    expect(await idsOf(`?payment_id=${p2}`)).toEqual([p2]);
    expect(await idsOf(`?id=${p4}`)).toEqual([p4]);
    expect(await idsOf(`?id=${p4.toUpperCase()}&payment_id=${p4}`)).toEqual([p4]);
    expect(ok(await list(`?payment_id=${p2}&id=${p2}`)).items[0]).toMatchObject({
      id: p2,
      escrow_id: ids.a,
      status: 'ERROR',
      retried_by: p4,
    });
    expect(await idsOf(`?payment_id=${p2}&status=ERROR`)).toEqual([p2]);
    expect(await idsOf(`?payment_id=${p2}&status=SENT`)).toEqual([]);
    expect(await idsOf(`?payment_id=${p2}&escrow_id=${ids.b}`)).toEqual([]);
    // Naming no payment is an empty list, not a 422: not a UUID, unknown, or two different ids.
    for (const query of [
      '?payment_id=nope&id=nope',
      '?id=42',
      `?payment_id=${randomUUID()}`,
      `?payment_id=${p2}&id=${p4}`,
    ])
      expect({ query, page: ok(await list(query)) }).toEqual({
        query,
        page: { items: [], total: 0, limit: 50, offset: 0 },
      });
    expectErrorEnvelope(await list('?payment=x'), 422, 'VALIDATION_ERROR');
  });

  it('is for support, auditors and admin: a sender, party or not, gets 403 INSUFFICIENT_SCOPE', async () => {
    const roles: RoleName[] = ['support', 'auditor', 'admin'];
    for (const role of roles) expect(await idsOf('', api.keys[role])).toHaveLength(7);
    for (const role of ['client', 'provider', 'stranger'] as const)
      expectErrorEnvelope(await list('', api.keys[role]), 403, 'INSUFFICIENT_SCOPE');
    expect((await list('', null)).statusCode).toBe(401);
  });
});

describe('a failed payment is ERROR in every answer (D4)', () => {
  it('in the answers of the calls that failed it: release, client-reject, execute, retry', () => {
    expect(ok(answers.release)).toMatchObject({ id: ids.p2, status: 'ERROR', kind: 'payout' });
    expect(ok(answers.reject).payments).toEqual([
      expect.objectContaining({ id: ids.rB, kind: 'refund', status: 'ERROR' }),
    ]);
    expect(ok(answers.execute)).toMatchObject({
      id: ids.pc,
      status: 'ERROR',
      failure_reason: 'simulated decline',
    });
    expect(ok(answers.retry, 201)).toMatchObject({
      id: ids.pc2,
      status: 'ERROR',
      retry_of: ids.pc,
    });
  });

  it('in GET /payments/{id}, the escrow’s payments and its summary', async () => {
    for (const id of [ids.p2, ids.rB, ids.pc, ids.pc2])
      expect(ok(await api.call('GET', `/payments/${id}`, api.keys.client)).status).toBe('ERROR');
    const statuses = async (escrowId: string) =>
      (
        ok(await api.call('GET', `/escrows/${escrowId}/payments`, api.keys.provider)).items as {
          id: string;
          status: string;
        }[]
      ).map((p) => [p.id, p.status]);
    expect(await statuses(ids.a)).toEqual([
      [ids.p1, 'SETTLED'],
      [ids.p2, 'ERROR'],
      [ids.p4, 'SENT'],
      [ids.p3, 'PENDING'],
    ]);
    expect(await statuses(ids.c)).toEqual([
      [ids.pc, 'ERROR'],
      [ids.pc2, 'ERROR'],
    ]);
    const summary = await api.summary(ids.c, api.keys.client);
    expect(summary.payments.map((p: { status: string }) => p.status)).toEqual(['ERROR', 'ERROR']);
    // The balance keeps its name: the retry's 10.00 is owed, not held.
    expect(summary.balances).toMatchObject({ failed: '10.00', held: '0.00' });
    expect((await api.summary(ids.b)).payments).toEqual([
      expect.objectContaining({ id: ids.rB, status: 'ERROR' }),
    ]);
  });

  it('refuses to execute it again naming it ERROR', async () => {
    const refused = expectErrorEnvelope(
      await api.call('POST', `/payments/execute/${ids.p2}`, api.keys.support),
      409,
      'INVALID_STATE_TRANSITION',
    );
    expect(refused.details).toEqual({ action: 'execute', from: 'ERROR', to: 'SENT' });
  });

  it('while the events, the read model and deposit statuses keep FAILED', async () => {
    expect(await escrowEventTypes(api, ids.c)).toEqual(
      expect.arrayContaining(['payment.failed.v1']),
    );
    const rows = await api.t.platform.db
      .selectFrom('payments')
      .select(['id', 'status'])
      .where('id', 'in', [ids.p2, ids.pc2])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['FAILED', 'FAILED']);
    const draft = await api.escrow({ amount_total: '5.00' });
    const declined = await withPspMode(api, 'fail', () => api.deposit(draft, '5.00'));
    expect(ok(declined).deposit).toMatchObject({ status: 'FAILED' });
    expect((await api.summary(draft)).deposits).toEqual([
      expect.objectContaining({ status: 'FAILED' }),
    ]);
  });
});
