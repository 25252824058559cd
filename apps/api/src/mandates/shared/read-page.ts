/** One page of a list query and its total, as `{items, total, limit, offset}`. */
import type { Page } from '../../http/pagination';

export async function readPage<R, V>(
  rows: Promise<R[]>,
  count: Promise<{ n: string | number | bigint }>,
  page: { limit: number; offset: number },
  view: (row: R) => V,
): Promise<Page<V>> {
  const [items, total] = await Promise.all([rows, count]);
  return { items: items.map(view), total: Number(total.n), limit: page.limit, offset: page.offset };
}
