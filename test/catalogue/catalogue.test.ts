/**
 * The spend catalogue over HTTP, on the real app and database (API-RULES.md §1, §4, §6;
 * KOBATELA-SPEC.md §2.9): categories with unique codes and merchants with unique names (409,
 * also under parallel duplicates: exactly one 201), a merchant's category must exist, allows
 * name exactly one known target for a known owner (404 USER_NOT_FOUND, the old B11) and are
 * recorded once, Idempotency-Key on every POST, paged lists, and the real actor on every event.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { expectErrorEnvelope } from '../http/http-expect';
import { type EscrowApi, startEscrowApi } from '../support/escrow-api';

const tag = () => randomBytes(4).toString('hex');
const prefixOf = (key: string) => key.split('.')[0]!;

describe('spend catalogue', () => {
  let api: EscrowApi;

  beforeAll(async () => {
    api = await startEscrowApi();
  });
  afterAll(() => api.close());

  const category = async (code = `CAT-${tag()}`, key = api.keys.support) => {
    const res = await api.call('POST', '/spend/categories', key, { code, label: `Label ${code}` });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; code: string }>();
  };
  const merchant = async (over: Record<string, unknown> = {}) => {
    const res = await api.call('POST', '/spend/merchants', api.keys.support, {
      name: `Shop ${tag()}`,
      ...over,
    });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; name: string }>();
  };

  describe('categories', () => {
    it('creates a category with the documented shape and lists it', async () => {
      const res = await api.call('POST', '/spend/categories', api.keys.support, {
        code: ' FOOD ',
        label: 'Food',
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.any(String),
        code: 'FOOD',
        label: 'Food',
        created_at: expect.any(String),
        updated_at: body.created_at,
      });
      expect(res.headers['x-event-position']).toEqual(expect.any(String));
      const list = await api.call('GET', '/spend/categories?limit=200', api.keys.client);
      expect(list.statusCode).toBe(200);
      expect(list.json()).toMatchObject({ limit: 200, offset: 0, total: expect.any(Number) });
      expect(list.json().items).toContainEqual(body);
      for (const key of [api.keys.auditor, api.keys.support, api.keys.admin]) {
        expect((await api.call('GET', '/spend/categories', key)).statusCode).toBe(200);
      }
    });

    it('refuses a code already taken, case-insensitively: 409 CATEGORY_EXISTS', async () => {
      const { code } = await category();
      expectErrorEnvelope(
        await api.call('POST', '/spend/categories', api.keys.admin, { code, label: 'again' }),
        409,
        'CATEGORY_EXISTS',
      );
      expectErrorEnvelope(
        await api.call('POST', '/spend/categories', api.keys.admin, {
          code: code.toLowerCase(),
          label: 'again',
        }),
        409,
        'CATEGORY_EXISTS',
      );
    });

    it('gives exactly one 201 among parallel duplicates', async () => {
      const code = `PAR-${tag()}`;
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          api.call('POST', '/spend/categories', api.keys.support, { code, label: 'parallel' }),
        ),
      );
      const statuses = answers.map((r) => r.statusCode).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      for (const r of answers.filter((a) => a.statusCode === 409))
        expectErrorEnvelope(r, 409, 'CATEGORY_EXISTS');
    });

    it('validates the body: 422 VALIDATION_ERROR naming the fields', async () => {
      for (const body of [
        {},
        { code: '', label: 'x' },
        { code: '   ', label: 'x' },
        { code: 'x'.repeat(65), label: 'x' },
        { code: 'A', label: 'x'.repeat(256) },
        { code: 'A\u200bB', label: 'x' },
        { code: 'A', label: 'x', extra: 1 },
        { code: 5, label: 'x' },
      ]) {
        const err = expectErrorEnvelope(
          await api.call('POST', '/spend/categories', api.keys.support, body),
          422,
          'VALIDATION_ERROR',
        );
        expect(err.details).toHaveProperty('fields');
      }
    });

    it('honours Idempotency-Key: same body replays, another body is 422 IDEMPOTENCY_KEY_REUSED', async () => {
      const code = `IDEM-${tag()}`;
      const headers = { 'idempotency-key': `cat-${tag()}` };
      const first = await api.call(
        'POST',
        '/spend/categories',
        api.keys.support,
        { code, label: 'L' },
        headers,
      );
      expect(first.statusCode).toBe(201);
      const again = await api.call(
        'POST',
        '/spend/categories',
        api.keys.support,
        { code, label: 'L' },
        headers,
      );
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual(first.json());
      expectErrorEnvelope(
        await api.call(
          'POST',
          '/spend/categories',
          api.keys.support,
          { code: `${code}-2`, label: 'L' },
          headers,
        ),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
    });

    it('is closed to senders and auditors for writes (403 INSUFFICIENT_SCOPE)', async () => {
      for (const key of [api.keys.client, api.keys.auditor]) {
        expectErrorEnvelope(
          await api.call('POST', '/spend/categories', key, { code: `X-${tag()}`, label: 'x' }),
          403,
          'INSUFFICIENT_SCOPE',
        );
      }
    });
  });

  describe('merchants', () => {
    it('creates merchants with and without a category and lists them', async () => {
      const cat = await category();
      const res = await api.call('POST', '/spend/merchants', api.keys.support, {
        name: `Bakery ${tag()}`,
        category_id: cat.id.toUpperCase(),
        is_certified: true,
      });
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toEqual({
        id: expect.any(String),
        name: expect.stringMatching(/^Bakery /),
        category_id: cat.id,
        is_certified: true,
        created_at: expect.any(String),
        updated_at: body.created_at,
      });
      const plain = await merchant();
      const list = await api.call('GET', '/spend/merchants?limit=200', api.keys.auditor);
      expect(list.statusCode).toBe(200);
      const items = list.json().items as Array<{
        id: string;
        category_id: string | null;
        is_certified: boolean;
      }>;
      expect(items).toContainEqual(body);
      expect(items.find((m) => m.id === plain.id)).toMatchObject({
        category_id: null,
        is_certified: false,
      });
      expect(
        (await api.call('GET', '/spend/merchants?limit=1&offset=1', api.keys.client)).json(),
      ).toMatchObject({ limit: 1, offset: 1, items: [expect.any(Object)] });
      expectErrorEnvelope(
        await api.call('GET', '/spend/merchants?limit=201', api.keys.client),
        422,
        'VALIDATION_ERROR',
      );
    });

    it('refuses an unknown category (404 CATEGORY_NOT_FOUND) and a taken name (409 MERCHANT_EXISTS)', async () => {
      expectErrorEnvelope(
        await api.call('POST', '/spend/merchants', api.keys.support, {
          name: `X ${tag()}`,
          category_id: randomUUID(),
        }),
        404,
        'CATEGORY_NOT_FOUND',
      );
      const m = await merchant();
      expectErrorEnvelope(
        await api.call('POST', '/spend/merchants', api.keys.support, {
          name: m.name.toUpperCase(),
        }),
        409,
        'MERCHANT_EXISTS',
      );
    });

    it('gives exactly one 201 among parallel duplicate names', async () => {
      const name = `Parallel ${tag()}`;
      const answers = await Promise.all(
        Array.from({ length: 8 }, () =>
          api.call('POST', '/spend/merchants', api.keys.support, { name }),
        ),
      );
      expect(answers.map((r) => r.statusCode).sort()).toEqual([
        201, 409, 409, 409, 409, 409, 409, 409,
      ]);
      for (const r of answers.filter((a) => a.statusCode === 409))
        expectErrorEnvelope(r, 409, 'MERCHANT_EXISTS');
    });

    it('validates the body', async () => {
      for (const body of [
        {},
        { name: '' },
        { name: 'x'.repeat(256) },
        { name: 'ok', category_id: 7 },
        { name: 'ok', category_id: 'nope' },
        { name: 'ok', is_certified: 'yes' },
      ]) {
        expectErrorEnvelope(
          await api.call('POST', '/spend/merchants', api.keys.support, body),
          422,
          'VALIDATION_ERROR',
        );
      }
    });
  });

  describe('allowed usages', () => {
    it('adds an allow once, for a merchant or a category', async () => {
      const cat = await category();
      const m = await merchant({ category_id: cat.id });
      const owner = api.ids.provider;
      const add = (body: Record<string, unknown>) =>
        api.call('POST', '/spend/allow', api.keys.support, { owner_id: owner, ...body });
      const first = await add({ merchant_id: m.id });
      expect(first.statusCode).toBe(201);
      expect(first.json()).toEqual({ status: 'added' });
      const events = await api.call(
        'GET',
        `/audit/events?stream=usage_allow-${owner}`,
        api.keys.support,
      );
      const again = await add({ merchant_id: m.id.toUpperCase() });
      expect(again.statusCode).toBe(201);
      expect(again.json()).toEqual({ status: 'exists' });
      expect(
        (
          await api.call('GET', `/audit/events?stream=usage_allow-${owner}`, api.keys.support)
        ).json().total,
      ).toBe(events.json().total);
      expect((await add({ category_id: cat.id })).json()).toEqual({ status: 'added' });
      expect((await add({ category_id: cat.id })).json()).toEqual({ status: 'exists' });
    });

    it('needs exactly one target (422)', async () => {
      const cat = await category();
      const m = await merchant();
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, { owner_id: api.ids.client }),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, {
          owner_id: api.ids.client,
          merchant_id: m.id,
          category_id: cat.id,
        }),
        422,
        'VALIDATION_ERROR',
      );
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, {
          owner_id: 'x',
          merchant_id: m.id,
        }),
        422,
        'VALIDATION_ERROR',
      );
    });

    it('refuses unknown owners (B11), merchants and categories with 404', async () => {
      const m = await merchant();
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, {
          owner_id: randomUUID(),
          merchant_id: m.id,
        }),
        404,
        'USER_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, {
          owner_id: api.ids.client,
          merchant_id: randomUUID(),
        }),
        404,
        'MERCHANT_NOT_FOUND',
      );
      expectErrorEnvelope(
        await api.call('POST', '/spend/allow', api.keys.support, {
          owner_id: api.ids.client,
          category_id: randomUUID(),
        }),
        404,
        'CATEGORY_NOT_FOUND',
      );
    });

    it('honours Idempotency-Key across owners: another body with the key is 422', async () => {
      const m = await merchant();
      const headers = { 'idempotency-key': `allow-${tag()}` };
      const first = await api.call(
        'POST',
        '/spend/allow',
        api.keys.support,
        { owner_id: api.ids.stranger, merchant_id: m.id },
        headers,
      );
      expect(first.json()).toEqual({ status: 'added' });
      const replay = await api.call(
        'POST',
        '/spend/allow',
        api.keys.support,
        { owner_id: api.ids.stranger, merchant_id: m.id },
        headers,
      );
      expect(replay.statusCode).toBe(201);
      expect(replay.json()).toEqual({ status: 'added' });
      expectErrorEnvelope(
        await api.call(
          'POST',
          '/spend/allow',
          api.keys.support,
          { owner_id: api.ids.client, merchant_id: m.id },
          headers,
        ),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
    });
  });

  it('records the real actor of every catalogue mutation in the audit trail', async () => {
    const cat = await category(`AUD-${tag()}`, api.keys.admin);
    const m = await merchant({ category_id: cat.id });
    await api.call('POST', '/spend/allow', api.keys.admin, {
      owner_id: api.ids.client,
      category_id: cat.id,
    });
    const stream = async (id: string) =>
      (await api.call('GET', `/audit/events?stream=${id}`, api.keys.auditor)).json().items as Array<
        Record<string, any>
      >;
    expect(await stream(`spend_category-${cat.id}`)).toEqual([
      expect.objectContaining({
        type: 'spend.category_created.v1',
        actor_label: prefixOf(api.keys.admin),
      }),
    ]);
    expect(await stream(`merchant-${m.id}`)).toEqual([
      expect.objectContaining({
        type: 'spend.merchant_created.v1',
        actor_label: prefixOf(api.keys.support),
      }),
    ]);
    const allows = await stream(`usage_allow-${api.ids.client}`);
    expect(allows.at(-1)).toMatchObject({
      type: 'spend.usage_allowed.v1',
      actor_label: prefixOf(api.keys.admin),
      data: { categoryId: cat.id },
    });
  });
});
