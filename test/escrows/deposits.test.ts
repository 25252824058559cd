/**
 * Deposits over HTTP through the PSP simulator (API-RULES.md §3, §4): Idempotency-Key required,
 * the initiation committed before the PSP is asked (issue 12), then its answer, FUNDED exactly at
 * the total, pending deposits counting toward the cap, a decline or a silent PSP never a 5xx,
 * a retry finishing a pending deposit without collecting twice, the PSP reference reserved, and
 * parallel deposits (50 distinct keys sum exactly; 20 identical ones deposit once).
 */
import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from '../http/http-expect';

const ADMIN = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;

describe('deposits', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};

  const call = (
    method: 'GET' | 'POST',
    url: string,
    key: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        ...(key ? { 'x-api-key': key } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3' },
    });
    for (const name of ['client', 'provider']) {
      ids[name] = (
        await call('POST', '/users', ADMIN, { username: name, email: `${name}@example.org` })
      ).json().id;
      keys[name] = (
        await call('POST', '/apikeys', ADMIN, { name, scope: 'sender', user_id: ids[name] })
      ).json().key;
    }
  });
  afterAll(() => t.close());

  const escrow = async (amount_total = '100.00', currency = 'USD') =>
    (
      await call('POST', '/escrows', keys.client, {
        client_id: ids.client,
        provider_id: ids.provider,
        amount_total,
        currency,
        release_conditions: {},
        deadline_at: '2027-12-31T00:00:00Z',
      })
    ).json().id as string;
  const deposit = (id: string, amount: string, key: string | null, as = keys.client) =>
    call(
      'POST',
      `/escrows/${id}/deposit`,
      as,
      { amount },
      key === null ? {} : { 'idempotency-key': key },
    );
  const eventsOf = async (id: string) =>
    (await t.platform.store.readStream(`escrow-${id}`)).map((e) => e.type);

  it('commits the initiation before the PSP is asked, then the confirmation, and funds exactly at the total', async () => {
    const id = await escrow();
    // What another connection sees on the escrow stream at the moment the PSP is asked.
    const seenAtCollect: string[][] = [];
    const psp = t.platform.psp;
    const collect = psp.collect.bind(psp);
    psp.collect = async (request) => {
      seenAtCollect.push(await eventsOf(id));
      return collect(request);
    };
    let first;
    try {
      first = await deposit(id, '60', 'd-1');
    } finally {
      psp.collect = collect;
    }
    expect(seenAtCollect).toEqual([['escrow.created.v1', 'escrow.deposit_initiated.v1']]);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'DRAFT',
      deposited: '60.00',
      deposit: { amount: '60.00', status: 'CONFIRMED', psp_ref: expect.stringMatching(/^SIM-/) },
    });
    const second = await deposit(id, '40.00', 'd-2');
    expect(second.json()).toMatchObject({ status: 'FUNDED', deposited: '100.00' });
    const stored = await t.platform.store.readStream(`escrow-${id}`);
    const appends = new Set(stored.map((e) => e.position.tx)).size;
    expect(appends).toBe(5); // created; each deposit's initiation, then its confirmation (+ funded)
    expect(await eventsOf(id)).toEqual([
      'escrow.created.v1',
      'escrow.deposit_initiated.v1',
      'escrow.deposit_confirmed.v1',
      'escrow.deposit_initiated.v1',
      'escrow.deposit_confirmed.v1',
      'escrow.funded.v1',
    ]);
    const ref = first.json().deposit.psp_ref;
    const reservation = await t.platform.store.readStream(
      await t.platform.reservationStream('psp-ref', ref),
    );
    expect(reservation[0]!.data).toMatchObject({ stream: `escrow-${id}` });
    expectErrorEnvelope(await deposit(id, '0.01', 'd-3'), 409, 'DEPOSIT_EXCEEDS_TOTAL');
    // Funded: the provider can now mark delivery.
    const delivered = await call('POST', `/escrows/${id}/mark-delivered`, keys.provider, {});
    expect(delivered.json()).toMatchObject({ status: 'RELEASABLE' });
  });

  it('needs an Idempotency-Key, the client, and a valid amount; refusals reach no PSP', async () => {
    const id = await escrow('10.00', 'KWD');
    const calls = t.platform.psp.calls.length;
    expectErrorEnvelope(await deposit(id, '1', null), 400, 'IDEMPOTENCY_KEY_REQUIRED');
    expectErrorEnvelope(await deposit(id, '1', 'x', keys.provider), 403, 'NOT_ESCROW_CLIENT');
    expectErrorEnvelope(await deposit(id, '1.0001', 'x'), 422, 'AMOUNT_PRECISION');
    expectErrorEnvelope(await deposit(id, '0', 'x'), 422, 'VALIDATION_ERROR');
    expectErrorEnvelope(await deposit(id, '10.001', 'x'), 409, 'DEPOSIT_EXCEEDS_TOTAL');
    expectErrorEnvelope(
      await deposit('00000000-0000-4000-8000-000000000000', '1', 'x'),
      404,
      'ESCROW_NOT_FOUND',
    );
    expect(t.platform.psp.calls.length).toBe(calls);
    expect((await deposit(id, '10.000', 'x')).json()).toMatchObject({
      status: 'FUNDED',
      deposited: '10.000',
    });
  });

  it('answers a repeated key with the first deposit, and refuses the key with another body', async () => {
    const id = await escrow();
    const first = await deposit(id, '25.00', 'same');
    const again = await deposit(id, '25.00', 'same');
    expect(again.json().deposit).toEqual(first.json().deposit);
    expect(again.json().deposited).toBe('25.00');
    expectErrorEnvelope(await deposit(id, '26.00', 'same'), 422, 'IDEMPOTENCY_KEY_REUSED');
    // The same key on another escrow is another request (the path is part of the scope).
    const other = await escrow();
    expect((await deposit(other, '25.00', 'same')).json()).toMatchObject({ deposited: '25.00' });
  });

  it('answers a decline with 200 and a FAILED deposit, and a silent PSP with a PENDING one', async () => {
    const id = await escrow();
    t.platform.psp.mode = 'fail';
    try {
      const declined = await deposit(id, '30', 'declined');
      expect(declined.statusCode).toBe(200);
      expect(declined.json()).toMatchObject({
        deposited: '0.00',
        deposit: { status: 'FAILED', psp_ref: null },
      });
      // The initiation first, the decline after the PSP's answer.
      expect((await eventsOf(id)).slice(1)).toEqual([
        'escrow.deposit_initiated.v1',
        'escrow.deposit_failed.v1',
      ]);
      t.platform.psp.mode = 'silent';
      t.platform.psp.answerTimeoutMs = 20;
      const silent = await deposit(id, '30', 'silent');
      expect(silent.statusCode).toBe(200);
      expect(silent.json()).toMatchObject({ deposited: '0.00', deposit: { status: 'PENDING' } });
      // Pending money counts toward the cap.
      expectErrorEnvelope(await deposit(id, '70.01', 'over'), 409, 'DEPOSIT_EXCEEDS_TOTAL');
      // The PSP is back: the client's retry finishes the deposit, collected once.
      t.platform.psp.mode = 'accept';
      const retried = await deposit(id, '30', 'silent');
      expect(retried.json()).toMatchObject({
        deposited: '30.00',
        deposit: { status: 'CONFIRMED' },
      });
      const collects = t.platform.psp.calls.filter(
        (c) => c.idempotencyKey === retried.json().deposit.id,
      );
      expect(collects.map((c) => c.mode)).toEqual(['silent', 'accept']);
    } finally {
      t.platform.psp.mode = 'accept';
    }
  });

  it('leaves a deposit PENDING when the PSP answers something unreadable, never a 5xx', async () => {
    const id = await escrow();
    const psp = t.platform.psp;
    const collect = psp.collect.bind(psp);
    psp.collect = async () => {
      throw new TypeError('unexpected PSP payload');
    };
    try {
      const res = await deposit(id, '10', 'garbled');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        deposited: '0.00',
        deposit: { status: 'PENDING', psp_ref: null },
      });
      expect(psp.lastError).toBe('unexpected PSP payload');
    } finally {
      psp.collect = collect;
    }
    expect((await deposit(id, '10', 'garbled')).json()).toMatchObject({
      deposited: '10.00',
      deposit: { status: 'CONFIRMED' },
    });
  });

  it('sums 50 parallel deposits with distinct keys exactly, and deposits 20 identical ones once', async () => {
    const id = await escrow('50.00');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => deposit(id, '1.00', `p-${i}`)),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(50).fill(200));
    expect((await call('GET', `/escrows/${id}`, keys.client)).json()).toMatchObject({
      deposited: '50.00',
      status: 'FUNDED',
    });
    const once = await escrow('50.00');
    const same = await Promise.all(
      Array.from({ length: 20 }, () => deposit(once, '5.00', 'same-20')),
    );
    expect(same.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    expect(new Set(same.map((r) => r.json().deposit.id)).size).toBe(1);
    const confirmed = (await eventsOf(once)).filter((e) => e === 'escrow.deposit_confirmed.v1');
    expect(confirmed).toHaveLength(1);
    expect((await call('GET', `/escrows/${once}`, keys.client)).json()).toMatchObject({
      deposited: '5.00',
    });
  });
});
