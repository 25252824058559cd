/**
 * The double-entry ledger end to end: escrow events appended to the store (crafted, and one real
 * deposit through the API) are posted by the running projector, and the three ledger routes
 * answer at each currency's scale (USD 2, JPY 0, KWD 3): an account's balance and statement,
 * oldest first and paged; an escrow's entries and held balance for its parties (403
 * NOT_ESCROW_PARTY for anyone else); the trial balance per currency. The whole ledger is then
 * checked against an independent fold of every escrow event in the store (balances, trial
 * balance, held = the decider's heldAfter, cash = deposits − sent), and a rebuild from `$all`
 * must give the same tables.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Big from 'big.js';
import type { NewEvent, Position, RecordedEvent } from '@kob/event-store';
import { ledgerProjection } from '@kob/projections';
import { EscrowEventBuilder, type PaymentRef } from '../support/escrow-event-builder';
import { expectErrorEnvelope } from '../http/http-expect';
import {
  type LedgerFold as IndependentFold,
  foldEscrowEvents as foldEvents,
} from '../support/ledger-fold';
import { startTestApp, type TestApp } from '../support/test-app';

const ADMIN = `koba_${randomBytes(3).toString('hex')}.${randomBytes(32).toString('base64url')}`;
const PROJECTION_WAIT_MS = 10_000;
const READ_ALL_PAGE = 1000;
const SCALES: Record<string, number> = { USD: 2, EUR: 2, JPY: 0, KWD: 3 };

describe('the ledger over HTTP', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  const keys: Record<string, string> = {};

  const get = (url: string, key: string | undefined) =>
    t.app.inject({ method: 'GET', url, headers: key ? { 'x-api-key': key } : {} });
  const post = (
    url: string,
    key: string | undefined,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': key ?? '', 'content-type': 'application/json', ...headers },
      payload: JSON.stringify(body),
    });
  const accountUrl = (account: string) => `/ledger/accounts/${account}`;

  /** Appends to the stream's head and waits until every projector has applied the events. */
  async function append(b: EscrowEventBuilder, events: NewEvent[]): Promise<Position> {
    const head = await t.platform.store.streamHead(b.streamId);
    const res = await t.platform.store.appendToStream(b.streamId, events, {
      expectedRevision: head ? head.revision : 'no_stream',
    });
    expect(await t.platform.projections.waitFor(res.position, PROJECTION_WAIT_MS)).toBe(true);
    return res.position;
  }

  // Escrow A (USD) runs every kind of posting; B (JPY) and C (KWD) check the other scales.
  let a: EscrowEventBuilder;
  let payout: PaymentRef;
  let refund: PaymentRef;
  let retry: PaymentRef;
  let spend: PaymentRef;

  beforeAll(async () => {
    t = await startTestApp({
      env: { BOOTSTRAP_ADMIN_API_KEY: ADMIN, CURRENCIES: 'USD:2,EUR:2,JPY:0,KWD:3' },
    });
    for (const name of ['client', 'provider', 'stranger']) {
      const user = await post('/users', ADMIN, { username: name, email: `${name}@example.org` });
      ids[name] = user.json().id;
      const key = await post('/apikeys', ADMIN, { name, scope: 'sender', user_id: ids[name] });
      keys[name] = key.json().key;
    }
    for (const scope of ['support', 'auditor']) {
      keys[scope] = (await post('/apikeys', ADMIN, { name: scope, scope })).json().key;
    }

    a = new EscrowEventBuilder('USD', 2, { clientId: ids.client, providerId: ids.provider });
    const p1 = a.initiated({ kind: 'payout', amount: '30.00', heldAfter: '70.00' });
    const p2 = a.initiated({ kind: 'refund', amount: '20.00', heldAfter: '50.00' });
    const p3 = a.initiated({
      kind: 'refund',
      amount: '20.00',
      heldAfter: '50.00',
      retryOf: p2.payment.paymentId,
    });
    const p4 = a.initiated({ kind: 'spend', amount: '10.00', heldAfter: '40.00' });
    [payout, refund, retry, spend] = [p1.payment, p2.payment, p3.payment, p4.payment];
    // Several appends, as commands would make them, so batches and positions interleave.
    await append(a, [a.created('100.00'), a.depositConfirmed('60.00', { heldAfter: '60.00' })]);
    await append(a, [a.depositConfirmed('40.00', { heldAfter: '100.00' }), p1.event]);
    await append(a, [a.sent(payout), a.settled(payout), p2.event, a.failed(refund, false)]);
    await append(a, [p3.event, a.retried(refund, retry), a.sent(retry)]);
    await append(a, [p4.event, a.sent(spend)]);
    await append(a, [a.failed(spend, true)]);
  });
  afterAll(() => t.close());

  it("answers an account's balance and its statement, oldest first and paged", async () => {
    const held = `escrow:${a.escrowId}:held:USD`;
    const res = await get(accountUrl(held), keys.support);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      account: held,
      currency: 'USD',
      kind: 'escrow_held',
      normal_side: 'credit',
      escrow_id: a.escrowId,
      balance: '40.00',
      debits: '60.00',
      credits: '100.00',
      entries: { total: 5, limit: 50, offset: 0 },
    });
    expect(
      body.entries.items.map((e: Record<string, string>) => [e.event_type, e.side, e.amount]),
    ).toEqual([
      ['escrow.deposit_confirmed.v1', 'credit', '60.00'],
      ['escrow.deposit_confirmed.v1', 'credit', '40.00'],
      ['payment.initiated.v1', 'debit', '30.00'],
      ['payment.initiated.v1', 'debit', '20.00'],
      ['payment.initiated.v1', 'debit', '10.00'],
    ]);
    expect(body.entries.items[2]).toEqual({
      position: expect.stringMatching(/^p1\./),
      event_id: expect.any(String),
      event_type: 'payment.initiated.v1',
      escrow_id: a.escrowId,
      payment_id: payout.paymentId,
      debit_account: held,
      credit_account: `provider:${ids.provider}:payable:USD`,
      amount: '30.00',
      side: 'debit',
      occurred_at: '2026-11-27T10:00:00.000Z',
    });
    // The auditor reads it too; a page is a slice of the same order; colons may be encoded.
    const page = await get(
      `${accountUrl(encodeURIComponent(held))}?limit=2&offset=2`,
      keys.auditor,
    );
    expect(page.statusCode).toBe(200);
    expect(page.json().entries).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.json().entries.items).toEqual(body.entries.items.slice(2, 4));
  });

  it('keeps failed-after-sent money payable and moves nothing for a retry', async () => {
    const payee = (
      await get(accountUrl(`payee:${a.escrowId}:shop-1:payable:USD`), keys.support)
    ).json();
    expect(payee).toMatchObject({
      kind: 'payee_payable',
      balance: '10.00',
      debits: '10.00',
      credits: '20.00',
    });
    expect(payee.entries.items.map((e: Record<string, string>) => [e.event_type, e.side])).toEqual([
      ['payment.initiated.v1', 'credit'],
      ['payment.sent.v1', 'debit'],
      ['payment.failed.v1', 'credit'],
    ]);
    const client = (
      await get(accountUrl(`client:${ids.client}:refundable:USD`), keys.support)
    ).json();
    expect(client).toMatchObject({ balance: '0.00', debits: '20.00', credits: '20.00' });
    // Owed by the refund, paid by its retry: no entry names the retry's initiation.
    expect(
      client.entries.items.map((e: Record<string, string>) => [e.event_type, e.payment_id]),
    ).toEqual([
      ['payment.initiated.v1', refund.paymentId],
      ['payment.sent.v1', retry.paymentId],
    ]);
    const provider = (
      await get(accountUrl(`provider:${ids.provider}:payable:USD`), keys.support)
    ).json();
    expect(provider).toMatchObject({
      kind: 'provider_payable',
      balance: '0.00',
      entries: { total: 2 },
    });
  });

  it("lists an escrow's entries and held balance to its parties, support and auditors", async () => {
    const url = `/escrows/${a.escrowId}/ledger`;
    const res = await get(url, keys.client);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      escrow_id: a.escrowId,
      currency: 'USD',
      held_account: `escrow:${a.escrowId}:held:USD`,
      held: '40.00',
      entries: { total: 9, limit: 50, offset: 0 },
    });
    expect(body.entries.items.map((e: Record<string, string>) => [e.event_type, e.amount])).toEqual(
      [
        ['escrow.deposit_confirmed.v1', '60.00'],
        ['escrow.deposit_confirmed.v1', '40.00'],
        ['payment.initiated.v1', '30.00'],
        ['payment.sent.v1', '30.00'],
        ['payment.initiated.v1', '20.00'],
        ['payment.sent.v1', '20.00'],
        ['payment.initiated.v1', '10.00'],
        ['payment.sent.v1', '10.00'],
        ['payment.failed.v1', '10.00'],
      ],
    );
    expect(body.entries.items.every((e: Record<string, unknown>) => !('side' in e))).toBe(true);
    for (const who of ['provider', 'support', 'auditor']) {
      const other = await get(url, keys[who]);
      expect({ who, status: other.statusCode }).toEqual({ who, status: 200 });
      expect(other.json()).toEqual(body);
    }
    // Path ids are compared in lower case; a page is a slice of the same order.
    const upper = await get(`/escrows/${a.escrowId.toUpperCase()}/ledger?limit=1`, keys.client);
    expect(upper.json().entries.items).toEqual(body.entries.items.slice(0, 1));
    expectErrorEnvelope(await get(url, keys.stranger), 403, 'NOT_ESCROW_PARTY');
    expectErrorEnvelope(
      await get(`/escrows/${randomUUID()}/ledger`, keys.support),
      404,
      'ESCROW_NOT_FOUND',
    );
    expectErrorEnvelope(
      await get('/escrows/not-a-uuid/ledger', keys.support),
      404,
      'ESCROW_NOT_FOUND',
    );
    expectErrorEnvelope(await get(url, undefined), 401, 'NO_API_KEY');
  });

  it('answers an escrow nothing was deposited to with a zero held balance at scale', async () => {
    const k = new EscrowEventBuilder('KWD', 3, { clientId: ids.client, providerId: ids.provider });
    await append(k, [k.created('5.000'), k.depositInitiated('1.000')]);
    const res = await get(`/escrows/${k.escrowId}/ledger`, keys.provider);
    expect(res.json()).toEqual({
      escrow_id: k.escrowId,
      currency: 'KWD',
      held_account: `escrow:${k.escrowId}:held:KWD`,
      held: '0.000',
      entries: { items: [], total: 0, limit: 50, offset: 0 },
    });
  });

  it('formats every amount at its currency scale, one ledger per currency', async () => {
    const jpy = new EscrowEventBuilder('JPY', 0, {
      clientId: ids.client,
      providerId: ids.provider,
    });
    const jp = jpy.initiated({ kind: 'payout', amount: '1200', heldAfter: '3800' });
    await append(jpy, [
      jpy.created('5000'),
      jpy.depositConfirmed('5000', { heldAfter: '5000' }),
      jp.event,
    ]);
    await append(jpy, [jpy.sent(jp.payment)]);
    const kwd = new EscrowEventBuilder('KWD', 3, {
      clientId: ids.client,
      providerId: ids.provider,
    });
    // A decimal string shorter than the scale is still that amount: 1.5 KWD leaves as 1.500.
    await append(kwd, [kwd.created('2.000'), kwd.depositConfirmed('1.5', { heldAfter: '1.500' })]);

    const jpyHeld = (await get(accountUrl(`escrow:${jpy.escrowId}:held:JPY`), keys.support)).json();
    expect(jpyHeld).toMatchObject({
      currency: 'JPY',
      balance: '3800',
      debits: '1200',
      credits: '5000',
    });
    expect(jpyHeld.entries.items.map((e: Record<string, string>) => e.amount)).toEqual([
      '5000',
      '1200',
    ]);
    const kwdLedger = (await get(`/escrows/${kwd.escrowId}/ledger`, keys.client)).json();
    expect(kwdLedger).toMatchObject({ held: '1.500', entries: { total: 1 } });
    expect(kwdLedger.entries.items[0]).toMatchObject({
      amount: '1.500',
      debit_account: 'psp:cash:KWD',
    });
    const providerJpy = (
      await get(accountUrl(`provider:${ids.provider}:payable:JPY`), keys.support)
    ).json();
    expect(providerJpy).toMatchObject({ balance: '0', entries: { total: 2 } });
  });

  it('refuses malformed account ids (422), unknown ones (404) and callers without the scope', async () => {
    const bad = expectErrorEnvelope(
      await get(accountUrl('nope'), keys.support),
      422,
      'VALIDATION_ERROR',
    );
    expect(bad.details).toMatchObject({
      fields: { account: [expect.stringContaining('psp:cash:{CUR}')] },
    });
    for (const malformed of [
      'psp:cash:usd',
      'psp:cash:USD:x',
      'escrow:not-a-uuid:held:USD',
      'provider::payable:USD',
    ]) {
      expectErrorEnvelope(
        await get(accountUrl(encodeURIComponent(malformed)), keys.support),
        422,
        'VALIDATION_ERROR',
      );
    }
    for (const unknown of [
      'psp:cash:EUR',
      `escrow:${randomUUID()}:held:USD`,
      `provider:${ids.stranger}:payable:USD`,
    ]) {
      expectErrorEnvelope(
        await get(accountUrl(unknown), keys.auditor),
        404,
        'LEDGER_ACCOUNT_NOT_FOUND',
      );
    }
    expectErrorEnvelope(
      await get(accountUrl('psp:cash:USD'), keys.client),
      403,
      'INSUFFICIENT_SCOPE',
    );
    expectErrorEnvelope(await get('/ledger/trial-balance', keys.client), 403, 'INSUFFICIENT_SCOPE');
    expectErrorEnvelope(
      await get(`${accountUrl('psp:cash:USD')}?limit=201`, keys.support),
      422,
      'VALIDATION_ERROR',
    );
  });

  it('posts what a real deposit through the API appends, agreeing with the decider', async () => {
    const created = await post('/escrows', keys.client, {
      client_id: ids.client,
      provider_id: ids.provider,
      amount_total: '80.00',
      currency: 'USD',
      release_conditions: {},
      deadline_at: '2027-12-31T00:00:00Z',
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;
    const deposit = await post(
      `/escrows/${id}/deposit`,
      keys.client,
      { amount: '25.5' },
      { 'idempotency-key': 'ledger-1' },
    );
    expect(deposit.statusCode).toBe(200);
    expect(deposit.headers['x-projection-pending']).toBeUndefined();
    const ledger = (await get(`/escrows/${id}/ledger`, keys.client)).json();
    expect(ledger).toMatchObject({ held: '25.50', entries: { total: 1 } });
    expect(ledger.entries.items[0]).toMatchObject({
      event_type: 'escrow.deposit_confirmed.v1',
      debit_account: 'psp:cash:USD',
      credit_account: `escrow:${id}:held:USD`,
      amount: '25.50',
    });
  });

  describe('against an independent fold of every escrow event', () => {
    let events: RecordedEvent[];
    let fold: IndependentFold;
    beforeAll(async () => {
      events = await allEvents(t);
      fold = foldEvents(events);
    });

    it('has every account at the balance the events give it', async () => {
      const rows = await t.platform.db
        .selectFrom('ledger_accounts')
        .select(['account', 'currency', 'normal_side', 'debits', 'credits'])
        .execute();
      const stored = Object.fromEntries(
        rows.map((r) => {
          const total = new Big(r.normal_side === 'debit' ? r.debits : r.credits);
          const other = new Big(r.normal_side === 'debit' ? r.credits : r.debits);
          return [r.account, total.minus(other).toFixed(SCALES[r.currency]!)];
        }),
      );
      const expected = Object.fromEntries(
        [...fold.balances].map(([account, b]) => [account, b.toFixed(SCALES[account.slice(-3)]!)]),
      );
      expect(stored).toEqual(expected);
      expect(Object.keys(expected).length).toBeGreaterThanOrEqual(11);
    });

    it('holds what the decider said each escrow holds, and cash is deposits less sent money', async () => {
      expect(fold.heldAfter.size).toBeGreaterThanOrEqual(4);
      for (const [account, heldAfter] of fold.heldAfter) {
        expect({ account, balance: fold.balances.get(account)?.toString() ?? '0' }).toEqual({
          account,
          balance: new Big(heldAfter).toString(),
        });
      }
      for (const [currency, cash] of fold.cashFromFlows) {
        expect({ currency, cash: fold.balances.get(`psp:cash:${currency}`)?.toString() }).toEqual({
          currency,
          cash: cash.toString(),
        });
      }
    });

    it('answers the trial balance per currency, balanced, from the journal', async () => {
      const res = await get('/ledger/trial-balance', keys.auditor);
      expect(res.statusCode).toBe(200);
      const expected = [...fold.totals]
        .sort(([x], [y]) => x.localeCompare(y))
        .map(([currency, total]) => ({
          currency,
          debits: total.amount.toFixed(SCALES[currency]!),
          credits: total.amount.toFixed(SCALES[currency]!),
          balanced: true,
          entries: total.entries,
        }));
      expect(res.json()).toEqual({ items: expected });
      expect(expected.map((r) => r.currency)).toEqual(['JPY', 'KWD', 'USD']);
      // Assets equal liabilities in every ledger.
      for (const currency of fold.totals.keys()) {
        const liabilities = [...fold.balances]
          .filter(([acc]) => acc.endsWith(`:${currency}`) && !acc.startsWith('psp:cash:'))
          .reduce((sum, [, b]) => sum.plus(b), new Big(0));
        expect(liabilities.toString()).toBe(fold.balances.get(`psp:cash:${currency}`)!.toString());
      }
    });

    it('rebuilds from $all into the same tables', async () => {
      const before = await ledgerTables(t);
      expect(before.entries.length).toBe(fold.entries);
      await t.platform.projections.rebuild(ledgerProjection);
      expect(await ledgerTables(t)).toEqual(before);
      const health = (await get('/health', undefined)).json();
      expect(health).toMatchObject({ status: 'ok', halted_projectors: [] });
    });
  });
});

async function allEvents(t: TestApp): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let from: Position | null = null;
  for (let page = 0; page < 1000; page++) {
    const batch = await t.platform.store.readAll({ fromPosition: from, maxCount: READ_ALL_PAGE });
    out.push(...batch);
    if (batch.length < READ_ALL_PAGE) return out;
    from = batch[batch.length - 1]!.position;
  }
  throw new Error('more events than the test reads');
}

async function ledgerTables(t: TestApp) {
  const entries = await t.platform.db
    .selectFrom('ledger_entries')
    .selectAll()
    .orderBy('event_id')
    .execute();
  const accounts = await t.platform.db
    .selectFrom('ledger_accounts')
    .selectAll()
    .orderBy('account')
    .execute();
  const currencies = await t.platform.db
    .selectFrom('ledger_currencies')
    .selectAll()
    .orderBy('currency')
    .execute();
  return { entries, accounts, currencies };
}
