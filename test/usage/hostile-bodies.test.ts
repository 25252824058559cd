/**
 * Hostile input on the mandate, spend, transfer and alert routes is always a 4xx in the
 * envelope, never a 5xx (API-RULES.md §6): wrong JSON shapes and types on every POST, huge and
 * odd strings, hostile queries, and `expires_at` forms a loose date parser would read.
 */
import { randomBytes } from 'node:crypto';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import { fundedEscrow } from '../support/escrow-api-extra';
import { newUser } from '../mandates/mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const k = () => `probe-${randomBytes(6).toString('hex')}`;

const shapes: unknown[] = [[], null, 'str', 1, true, {}, [{}], { a: { b: [1, 2] } }];

describe('hostile bodies', () => {
  it('no 5xx for wrong JSON shapes on every new POST', async () => {
    const routes: [string, string][] = [
      ['/spend/allowed', api.keys.admin],
      ['/spend', api.keys.admin],
      ['/mandates', api.keys.admin],
      ['/spend/purchases', api.keys.admin],
      ['/spend/categories', api.keys.admin],
      ['/spend/merchants', api.keys.admin],
      ['/spend/allow', api.keys.admin],
      ['/allowlist', api.keys.admin],
      ['/certified', api.keys.admin],
      ['/transactions', api.keys.admin],
    ];
    const bad: string[] = [];
    for (const [url, key] of routes) {
      for (const body of shapes) {
        const res = await api.call('POST', url, key, body, { 'idempotency-key': k() });
        if (res.statusCode >= 500)
          bad.push(`${url} ${JSON.stringify(body)} -> ${res.statusCode} ${res.body}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no 5xx for wrong field types on mandates/purchases/spend/transactions', async () => {
    const u = await newUser(api, 'h');
    const { id: escrowId } = await fundedEscrow(api, { total: '10.00' });
    const bodies: [string, Record<string, unknown>][] = [];
    const mandateBase = {
      sender_id: u.id,
      beneficiary_id: api.ids.client,
      total_amount: '10.00',
      currency: 'USD',
      expires_at: '2099-01-01T00:00:00Z',
    };
    const purchaseBase = {
      sender_id: u.id,
      merchant_id: '00000000-0000-4000-8000-000000000000',
      amount: '1.00',
      currency: 'USD',
    };
    const spendBase = { escrow_id: escrowId, payee_ref: 'ab', amount: '1.00' };
    const txBase = { sender_id: u.id, receiver_id: api.ids.client, amount: '1.00' };
    const allowedBase = {
      escrow_id: escrowId,
      payee_ref: `p-${randomBytes(3).toString('hex')}`,
      label: 'lbl',
    };
    const values: unknown[] = [
      null,
      1,
      1.5,
      -1,
      1e300,
      '',
      ' ',
      'x'.repeat(100_000),
      '€',
      '\u202e',
      [],
      {},
      true,
      'NaN',
      'Infinity',
      '1e5',
      '0x10',
      '١٢',
    ];
    for (const [url, base] of [
      ['/mandates', mandateBase],
      ['/spend/purchases', purchaseBase],
      ['/spend', spendBase],
      ['/transactions', txBase],
      ['/spend/allowed', allowedBase],
    ] as [string, Record<string, unknown>][]) {
      for (const field of Object.keys(base))
        for (const v of values) bodies.push([url, { ...base, [field]: v }]);
      bodies.push([url, { ...base, extra_field: 1 }]);
    }
    const bad: string[] = [];
    for (const [url, body] of bodies) {
      const res = await api.call('POST', url, api.keys.admin, body, { 'idempotency-key': k() });
      if (res.statusCode >= 500)
        bad.push(
          `${url} ${JSON.stringify(body).slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`,
        );
    }
    expect(bad).toEqual([]);
  });

  it('expires_at forms accepted by IsISO8601 but not by Date never 500', async () => {
    const u = await newUser(api, 'exp');
    const bad: string[] = [];
    for (const expires of [
      '2099-W01-1',
      '2099-01-01T10',
      '20990101T100000Z',
      '+9999-12-31T23:59:59Z',
      '2099-001',
    ]) {
      const b = await newUser(api, 'b');
      const res = await api.call('POST', '/mandates', u.key, {
        sender_id: u.id,
        beneficiary_id: b.id,
        total_amount: '10.00',
        currency: 'USD',
        expires_at: expires,
      });
      if (res.statusCode >= 500) bad.push(`${expires} -> ${res.statusCode} ${res.body}`);
    }
    expect(bad).toEqual([]);
  });

  it('no 5xx on GET queries', async () => {
    const urls = [
      '/alerts?type=NOPE',
      '/alerts?type=PAYMENT_FAILED&type=PAYMENT_FAILED',
      '/alerts?limit=abc',
      '/alerts?offset=-1',
      '/mandates?sender_id=x',
      '/mandates?status=active',
      '/mandates?sender_id=a&sender_id=b',
      '/mandates/abc',
      '/mandates/%00',
      '/spend/purchases?mandate_id=zzz',
      '/spend/purchases?limit=201',
      '/transactions?sender_id=1',
      '/transactions/abc',
      '/certified/abc',
      '/allowlist',
      '/allowlist?owner_id=abc',
      '/escrows/abc/payees',
      '/spend/categories?limit=0',
      '/spend/merchants?offset=abc',
      `/allowlist?owner_id=${api.ids.client}&owner_id=${api.ids.provider}`,
    ];
    const bad: string[] = [];
    for (const url of urls) {
      const res = await api.call('GET', url, api.keys.admin);
      if (res.statusCode >= 500) bad.push(`${url} -> ${res.statusCode} ${res.body}`);
    }
    for (const url of [
      '/allowlist?owner_id=abc',
      '/allowlist',
      `/allowlist?owner_id=${api.ids.client}&recipient_id=${api.ids.client}&owner_id=x`,
    ]) {
      const res = await api.call('DELETE', url, api.keys.admin);
      if (res.statusCode >= 500) bad.push(`DELETE ${url} -> ${res.statusCode} ${res.body}`);
    }
    expect(bad).toEqual([]);
  });
});
