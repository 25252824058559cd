/** One page of a read-model list: the rows asked for, in order, and how many there are in all. */
import type { SelectQueryBuilder } from 'kysely';
import type { Page, PageQuery } from '../../http/pagination';

/**
 * `base` is the list's filtered table, `ordered` its rows in their order; the page's limit and
 * offset apply to `ordered`, the total counts `base`.
 */
export async function readPage<DB, TB extends keyof DB, O, V>(
  base: SelectQueryBuilder<DB, TB, object>,
  ordered: SelectQueryBuilder<DB, TB, O>,
  page: PageQuery,
  view: (row: O) => V,
): Promise<Page<V>> {
  const count = base.select((eb) => eb.fn.countAll<string>().as('n'));
  const [rows, total] = await Promise.all([
    ordered.limit(page.limit).offset(page.offset).execute(),
    count.executeTakeFirstOrThrow() as Promise<{ n: string }>,
  ]);
  return {
    items: rows.map(view),
    total: Number(total.n),
    limit: page.limit,
    offset: page.offset,
  };
}
