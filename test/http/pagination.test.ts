/**
 * Lists answer `{items, total, limit, offset}` (API-RULES.md §6) through the shared `PageQuery`:
 * `limit` is 1–200 with a default of 50, `offset` is a whole number from 0; anything else is a
 * 422 VALIDATION_ERROR naming the field, never a silent clamp.
 */
import { limits } from '@kob/kernel';
import { PROBE_ITEMS_TOTAL, ProbeController } from '../support/http-probe.controller';
import { startTestApp, type TestApp } from '../support/test-app';
import { expectErrorEnvelope } from './http-expect';

interface ItemsPage {
  items: { n: number }[];
  total: number;
  limit: number;
  offset: number;
}

describe('pagination', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ controllers: [ProbeController] });
  });
  afterAll(() => t.close());

  const list = (query: string) => t.app.inject({ method: 'GET', url: `/probe/items${query}` });

  it('defaults to limit 50 from offset 0', async () => {
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const page = res.json<ItemsPage>();
    expect(Object.keys(page).sort()).toEqual(['items', 'limit', 'offset', 'total']);
    expect(page).toMatchObject({ total: PROBE_ITEMS_TOTAL, limit: 50, offset: 0 });
    expect(limits.pageLimitDefault).toBe(50);
    expect(page.items).toHaveLength(50);
    expect(page.items[0]).toEqual({ n: 0 });
  });

  it('accepts the maximum limit of 200 and an offset', async () => {
    expect(PROBE_ITEMS_TOTAL).toBeGreaterThan(200);
    const full = (await list('?limit=200')).json<ItemsPage>();
    expect(full).toMatchObject({ limit: 200, offset: 0 });
    expect(full.items).toHaveLength(200);
    const tail = (await list('?limit=200&offset=200')).json<ItemsPage>();
    expect(tail).toMatchObject({ limit: 200, offset: 200, total: PROBE_ITEMS_TOTAL });
    expect(tail.items.map((i) => i.n)).toEqual(
      Array.from({ length: PROBE_ITEMS_TOTAL - 200 }, (_, i) => 200 + i),
    );
    const one = (await list('?limit=1&offset=7')).json<ItemsPage>();
    expect(one).toEqual({ items: [{ n: 7 }], total: PROBE_ITEMS_TOTAL, limit: 1, offset: 7 });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=', 'limit'],
    ['limit=0x10', 'limit'],
    ['limit=1e2', 'limit'],
    ['limit=5&limit=6', 'limit'],
    ['offset=', 'offset'],
    ['offset=-1', 'offset'],
    ['offset=abc', 'offset'],
    ['offset=0.5', 'offset'],
    ['limit=0&offset=-1', 'limit'],
  ])('answers ?%s with 422 VALIDATION_ERROR on %s', async (query, field) => {
    const error = expectErrorEnvelope(await list(`?${query}`), 422, 'VALIDATION_ERROR');
    expect(Object.keys(error.details?.fields as object)).toContain(field);
  });

  it('refuses an unknown query parameter', async () => {
    const error = expectErrorEnvelope(await list('?limit=5&page=2'), 422, 'VALIDATION_ERROR');
    expect(error.details).toEqual({ fields: { page: [expect.any(String)] } });
  });
});
