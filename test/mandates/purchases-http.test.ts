/**
 * Purchases against usage mandates over HTTP (issue 6; API-RULES.md §1, §4; KOBATELA-SPEC.md
 * §2.9, §4.13, B12, B13, R6): Idempotency-Key required; replay first (the first purchase comes
 * back even after the mandate was consumed or expired, with no new event); then the caller is the
 * sender or the beneficiary, the merchant exists, the category is the merchant's (a different
 * `category_id` is 422 CATEGORY_MISMATCH), the ACTIVE mandate is found through its slot, its
 * merchant and category restrictions hold, the beneficiary's allowance covers the merchant, and
 * the total is not passed; the purchase that reaches it consumes the mandate and frees its slot.
 * `sender_id` in the answer is the mandate's real sender. The list shows a sender its own.
 */
import { randomUUID } from 'node:crypto';
import { Money, newId } from '@kob/kernel';
import { MandateServices } from '../../apps/api/src/mandates/shared';
import { idempotencyScope, requestHash } from '../../apps/api/src/http/command-context';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';
import {
  HOUR_MS,
  allow,
  audit,
  caughtUp,
  createMandate,
  inHours,
  newCategory,
  newMerchant,
  newUser,
  pastDueMandate,
  prefixOf,
  streamEvents,
  testMetadata,
} from './mandates-support';

let api: EscrowApi;
beforeAll(async () => {
  api = await startEscrowApi();
});
afterAll(() => api.close());

const errorOf = (res: { json(): any }) =>
  res.json().error as { code: string; message: string; details?: any };
const key = () => ({ 'idempotency-key': `buy-${randomUUID()}` });

interface World {
  s: { id: string; key: string };
  b: { id: string; key: string };
  category: string;
  merchant: string;
  mandate: Record<string, any>;
}

/** A sender, a beneficiary allowed at one merchant (with a category), and a USD 100.00 mandate. */
async function world(over: Record<string, unknown> = {}): Promise<World> {
  const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
  const category = await newCategory(api);
  const merchant = await newMerchant(api, category);
  await allow(api, b.id, { merchantId: merchant });
  const mandate = await createMandate(api, s, b.id, over);
  return { s, b, category, merchant, mandate };
}

const buy = (
  w: World,
  over: Record<string, unknown> = {},
  as = w.b.key,
  headers: Record<string, string> = key(),
) =>
  api.call(
    'POST',
    '/spend/purchases',
    as,
    {
      sender_id: w.s.id,
      beneficiary_id: w.b.id,
      merchant_id: w.merchant,
      amount: '10.00',
      currency: 'USD',
      ...over,
    },
    headers,
  );

describe('POST /spend/purchases', () => {
  it('records a COMPLETED purchase with the real sender (B13) and the merchant’s category', async () => {
    const w = await world();
    const res = await buy(w, { amount: '12.5' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-event-position']).toBeDefined();
    const p = res.json();
    expect(p).toEqual({
      id: expect.any(String),
      sender_id: w.s.id,
      beneficiary_id: w.b.id,
      merchant_id: w.merchant,
      category_id: w.category,
      mandate_id: w.mandate.id,
      amount: '12.50',
      currency: 'USD',
      status: 'COMPLETED',
      created_at: expect.any(String),
      updated_at: p.created_at,
    });
    expect((await api.call('GET', `/mandates/${w.mandate.id}`, w.s.key)).json()).toMatchObject({
      total_spent: '12.50',
      status: 'ACTIVE',
    });
    // The sender may buy too, and may name the merchant's own category.
    expect((await buy(w, { category_id: w.category }, w.s.key)).statusCode).toBe(201);
    const list = (
      await api.call('GET', `/spend/purchases?mandate_id=${w.mandate.id}`, api.keys.auditor)
    ).json();
    expect(list.total).toBe(2);
    expect(list.items[0]).toEqual(p);
    expect(await audit(api, `mandate-${w.mandate.id}`)).toEqual([
      { type: 'mandate.created.v1', actor_label: prefixOf(w.s.key) },
      { type: 'mandate.purchase_recorded.v1', actor_label: prefixOf(w.b.key) },
      { type: 'mandate.purchase_recorded.v1', actor_label: prefixOf(w.s.key) },
    ]);
  });

  it('defaults the beneficiary to the sender', async () => {
    const s = await newUser(api, 's');
    const merchant = await newMerchant(api, null, true);
    const m = await createMandate(api, s, s.id);
    const res = await api.call(
      'POST',
      '/spend/purchases',
      s.key,
      { sender_id: s.id, merchant_id: merchant, amount: '1.00', currency: 'USD' },
      key(),
    );
    expect([
      res.statusCode,
      res.json().beneficiary_id,
      res.json().mandate_id,
      res.json().category_id,
    ]).toEqual([201, s.id, m.id, null]);
  });

  it('requires an Idempotency-Key (400) and valid input (422)', async () => {
    const w = await world();
    for (const headers of [{}, { 'idempotency-key': '  ' }] as Record<string, string>[]) {
      const res = await buy(w, {}, w.b.key, headers);
      expect([res.statusCode, errorOf(res).code]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: '1.001' }, 'AMOUNT_PRECISION'],
      [{ amount: '0' }, 'VALIDATION_ERROR'],
      [{ amount: '-1.00' }, 'VALIDATION_ERROR'],
      [{ currency: 'GBP' }, 'VALIDATION_ERROR'],
      [{ merchant_id: 'shop' }, 'VALIDATION_ERROR'],
      [{ note: 'x' }, 'VALIDATION_ERROR'],
    ];
    for (const [over, code] of cases) {
      const res = await buy(w, over);
      expect([JSON.stringify(over), res.statusCode, errorOf(res).code]).toEqual([
        JSON.stringify(over),
        422,
        code,
      ]);
    }
  });

  it('lets only the sender, the beneficiary or admin buy (403 NOT_OWNER; other scopes never)', async () => {
    const w = await world();
    const x = await newUser(api, 'x');
    const stranger = await buy(w, {}, x.key);
    expect([stranger.statusCode, errorOf(stranger).code]).toEqual([403, 'NOT_OWNER']);
    for (const k of [api.keys.support, api.keys.auditor]) {
      const res = await buy(w, {}, k);
      expect([res.statusCode, errorOf(res).code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    }
    const byAdmin = await buy(w, {}, api.keys.admin);
    expect(byAdmin.statusCode).toBe(201);
    expect((await audit(api, `mandate-${w.mandate.id}`)).at(-1)).toEqual({
      type: 'mandate.purchase_recorded.v1',
      actor_label: prefixOf(api.keys.admin),
    });
  });

  it('refuses an unknown merchant (404) and a category that is not the merchant’s (422 CATEGORY_MISMATCH, B12)', async () => {
    const w = await world();
    const unknown = await buy(w, { merchant_id: randomUUID() });
    expect([unknown.statusCode, errorOf(unknown).code]).toEqual([404, 'MERCHANT_NOT_FOUND']);
    const other = await newCategory(api);
    const mismatch = await buy(w, { category_id: other });
    expect([mismatch.statusCode, errorOf(mismatch).code]).toEqual([422, 'CATEGORY_MISMATCH']);
    const uncategorised = await newMerchant(api, null);
    await allow(api, w.b.id, { merchantId: uncategorised });
    const noCategory = await buy(w, { merchant_id: uncategorised, category_id: w.category });
    expect([noCategory.statusCode, errorOf(noCategory).code]).toEqual([422, 'CATEGORY_MISMATCH']);
  });

  it('needs an ACTIVE mandate not past its expiry for (sender, beneficiary, currency) (403 MANDATE_REQUIRED)', async () => {
    const w = await world();
    const otherCurrency = await buy(w, { currency: 'EUR' });
    expect([otherCurrency.statusCode, errorOf(otherCurrency).code]).toEqual([
      403,
      'MANDATE_REQUIRED',
    ]);
    // The beneficiary's own mandate the other way round is another slot.
    const reversed = await buy(w, { sender_id: w.b.id, beneficiary_id: w.s.id }, w.b.key);
    expect([reversed.statusCode, errorOf(reversed).code]).toEqual([403, 'MANDATE_REQUIRED']);
    const due = await pastDueMandate(api, w.s.id, w.b.id, 'KWD');
    const expired = await buy(w, { currency: 'KWD', amount: '1.000' });
    expect([expired.statusCode, errorOf(expired).code]).toEqual([403, 'MANDATE_REQUIRED']);
    expect((await streamEvents(api, `mandate-${due}`)).length).toBe(1);
  });

  it('keeps to the mandate’s merchant and category (403) and the beneficiary’s allowance (403 UNAUTHORIZED_USAGE)', async () => {
    const w = await world();
    const otherMerchant = await newMerchant(api, w.category);
    await allow(api, w.b.id, { merchantId: otherMerchant });
    const restricted = await createMandate(api, w.s, w.b.id, {
      currency: 'EUR',
      allowed_merchant_id: w.merchant,
    });
    const merchantForbidden = await buy(w, { currency: 'EUR', merchant_id: otherMerchant });
    expect([merchantForbidden.statusCode, errorOf(merchantForbidden).code]).toEqual([
      403,
      'MANDATE_MERCHANT_FORBIDDEN',
    ]);
    expect((await buy(w, { currency: 'EUR' })).json().mandate_id).toBe(restricted.id);

    const otherCategory = await newCategory(api);
    const elsewhere = await newMerchant(api, otherCategory);
    await allow(api, w.b.id, { categoryId: otherCategory });
    await createMandate(api, w.s, w.b.id, {
      currency: 'JPY',
      total_amount: '1000',
      allowed_category_id: w.category,
    });
    const categoryForbidden = await buy(w, {
      currency: 'JPY',
      amount: '5',
      merchant_id: elsewhere,
    });
    expect([categoryForbidden.statusCode, errorOf(categoryForbidden).code]).toEqual([
      403,
      'MANDATE_CATEGORY_FORBIDDEN',
    ]);

    // Usage: not allowed → 403, and the refusal does not use up the key.
    const unlisted = await newMerchant(api, await newCategory(api));
    const headers = key();
    const refused = await buy(w, { merchant_id: unlisted }, w.b.key, headers);
    expect([refused.statusCode, errorOf(refused).code]).toEqual([403, 'UNAUTHORIZED_USAGE']);
    await allow(api, w.b.id, { merchantId: unlisted });
    expect((await buy(w, { merchant_id: unlisted }, w.b.key, headers)).statusCode).toBe(201);
    // Allowed through its category, or because it is certified.
    expect((await buy(w, { merchant_id: elsewhere })).statusCode).toBe(201);
    expect((await buy(w, { merchant_id: await newMerchant(api, null, true) })).statusCode).toBe(
      201,
    );
  });

  it('refuses passing the total (409), consumes the mandate at the total and frees its slot', async () => {
    const w = await world();
    expect((await buy(w, { amount: '60.00' })).statusCode).toBe(201);
    const over = await buy(w, { amount: '40.01' });
    expect([over.statusCode, errorOf(over).code, errorOf(over).details]).toEqual([
      409,
      'MANDATE_LIMIT_EXCEEDED',
      { remaining: '40.00', currency: 'USD' },
    ]);
    expect((await buy(w, { amount: '40.00' })).statusCode).toBe(201);
    expect((await api.call('GET', `/mandates/${w.mandate.id}`, w.b.key)).json()).toMatchObject({
      status: 'CONSUMED',
      total_spent: '100.00',
    });
    const events = await streamEvents(api, `mandate-${w.mandate.id}`);
    expect(events.map((e) => e.type)).toEqual([
      'mandate.created.v1',
      'mandate.purchase_recorded.v1',
      'mandate.purchase_recorded.v1',
      'mandate.consumed.v1',
    ]);
    // After consumption there is no mandate for the slot, and the slot is free for a new one.
    const none = await buy(w, { amount: '1.00' });
    expect([none.statusCode, errorOf(none).code]).toEqual([403, 'MANDATE_REQUIRED']);
    const next = await createMandate(api, w.s, w.b.id);
    expect((await streamEvents(api, `mandate-${w.mandate.id}`)).length).toBe(4);
    expect((await buy(w, { amount: '1.00' })).json().mandate_id).toBe(next.id);
  });

  it('answers a retry with the first purchase, also after the mandate was consumed; another body → 422', async () => {
    const w = await world();
    const headers = key();
    const first = await buy(w, { amount: '100.00' }, w.b.key, headers);
    expect(first.statusCode).toBe(201);
    expect((await api.call('GET', `/mandates/${w.mandate.id}`, w.b.key)).json().status).toBe(
      'CONSUMED',
    );
    const before = await streamEvents(api, `mandate-${w.mandate.id}`);
    const again = await buy(w, { amount: '100.00' }, w.b.key, headers);
    expect([again.statusCode, again.json()]).toEqual([201, first.json()]);
    expect(await streamEvents(api, `mandate-${w.mandate.id}`)).toEqual(before);
    const reused = await buy(w, { amount: '99.00' }, w.b.key, headers);
    expect([reused.statusCode, errorOf(reused).code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    // The same key from another caller is another request (and the mandate is spent).
    const other = await buy(w, { amount: '100.00' }, w.s.key, headers);
    expect([other.statusCode, errorOf(other).code]).toEqual([403, 'MANDATE_REQUIRED']);
  });

  it('answers a retry with the first purchase after the mandate expired, with no new event', async () => {
    const [s, b] = [await newUser(api, 's'), await newUser(api, 'b')];
    const merchant = await newMerchant(api, null, true);
    const services = new MandateServices(api.t.platform);
    const twoHoursAgo = new Date(Date.now() - 2 * HOUR_MS);
    // A mandate created three hours ago that expired an hour ago, and a purchase made two hours
    // ago under the key the HTTP retry below sends (same scope and request hash).
    const mandate = await services.create(
      {
        senderId: s.id,
        beneficiaryId: b.id,
        total: Money.parse('100.00', 'USD', api.t.platform.config.currencies),
        allowedCategoryId: null,
        allowedMerchantId: null,
        expiresAt: inHours(-1),
      },
      testMetadata(new Date(Date.now() - 3 * HOUR_MS)),
    );
    const body = {
      sender_id: s.id,
      beneficiary_id: b.id,
      merchant_id: merchant,
      amount: '10.00',
      currency: 'USD',
    };
    const idemKey = `late-${randomUUID()}`;
    const first = await services.purchase(
      {
        senderId: s.id,
        beneficiaryId: b.id,
        merchantId: merchant,
        amount: Money.parse('10.00', 'USD', api.t.platform.config.currencies),
        categoryId: null,
      },
      {
        ...testMetadata(twoHoursAgo),
        idempotency: {
          key: idemKey,
          scope: idempotencyScope(
            { kind: 'api_key', keyId: newId(), keyPrefix: 'x', scope: 'sender', userId: b.id },
            'POST',
            '/spend/purchases',
          ),
          requestHash: requestHash('POST', '/spend/purchases', body, {}),
        },
      },
    );
    await caughtUp(api);
    expect(
      (await api.call('POST', '/mandates/cleanup', api.keys.support)).json().expired,
    ).toBeGreaterThanOrEqual(1);
    expect((await api.call('GET', `/mandates/${mandate.id}`, b.key)).json().status).toBe('EXPIRED');
    const before = await streamEvents(api, `mandate-${mandate.id}`);
    const retry = await api.call('POST', '/spend/purchases', b.key, body, {
      'idempotency-key': idemKey,
    });
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toMatchObject({
      id: first.purchase.purchaseId,
      mandate_id: mandate.id,
      amount: '10.00',
      sender_id: s.id,
    });
    expect(await streamEvents(api, `mandate-${mandate.id}`)).toEqual(before);
    // A new key is a new purchase: there is no mandate any more.
    const fresh = await api.call('POST', '/spend/purchases', b.key, body, key());
    expect([fresh.statusCode, errorOf(fresh).code]).toEqual([403, 'MANDATE_REQUIRED']);
  });
});

describe('GET /spend/purchases', () => {
  it('shows a sender its purchases as sender or beneficiary; support, auditor and admin all; pages and filters', async () => {
    const w = await world();
    const x = await newUser(api, 'x');
    const ids = [];
    for (const amount of ['1.00', '2.00', '3.00']) ids.push((await buy(w, { amount })).json().id);
    for (const k of [w.s.key, w.b.key]) {
      const page = (await api.call('GET', '/spend/purchases', k)).json();
      expect([page.total, page.items.map((p: any) => p.id)]).toEqual([3, ids]);
    }
    expect((await api.call('GET', '/spend/purchases', x.key)).json()).toEqual({
      items: [],
      total: 0,
      limit: 50,
      offset: 0,
    });
    expect(
      (await api.call('GET', `/spend/purchases?sender_id=${w.s.id}`, x.key)).json().total,
    ).toBe(0);
    for (const k of [api.keys.support, api.keys.auditor, api.keys.admin]) {
      const page = (
        await api.call('GET', `/spend/purchases?sender_id=${w.s.id}&limit=2&offset=1`, k)
      ).json();
      expect([page.total, page.items.map((p: any) => p.id), page.limit, page.offset]).toEqual([
        3,
        ids.slice(1),
        2,
        1,
      ]);
    }
    expect(
      (
        await api.call(
          'GET',
          `/spend/purchases?beneficiary_id=${w.b.id}&mandate_id=${w.mandate.id}`,
          api.keys.support,
        )
      ).json().total,
    ).toBe(3);
    for (const q of ['mandate_id=x', 'limit=500']) {
      const res = await api.call('GET', `/spend/purchases?${q}`, api.keys.support);
      expect([res.statusCode, errorOf(res).code]).toEqual([422, 'VALIDATION_ERROR']);
    }
    const noKey = await api.call('GET', '/spend/purchases', null);
    expect(noKey.statusCode).toBe(401);
  });
});
