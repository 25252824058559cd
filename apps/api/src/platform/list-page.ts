/**
 * One page of a read-model list (`{items, total, limit, offset}`): the rows asked for, in order,
 * and how many the list holds in all.
 */
import type { SelectQueryBuilder } from 'kysely';
import type { Page, PageRequest } from '../http/pagination';

/**
 * `base` is the list's filtered table (what the total counts), `ordered` its rows in their order
 * (what the page's limit and offset apply to); each row is answered through `view`.
 */
export async function listPage<DB, TB extends keyof DB, ODB, OTB extends keyof ODB, O, V>(
  base: SelectQueryBuilder<DB, TB, object>,
  ordered: SelectQueryBuilder<ODB, OTB, O>,
  page: PageRequest,
  view: (row: O) => V,
): Promise<Page<V>> {
  // The selection's type is lost to the generic query: it is the one `n` selected here.
  const count = base.select((eb) => eb.fn.countAll<string>().as('n'));
  const [rows, total] = await Promise.all([
    ordered.limit(page.limit).offset(page.offset).execute(),
    count.executeTakeFirstOrThrow() as Promise<unknown> as Promise<{ n: string }>,
  ]);
  return {
    items: rows.map((row) => view(row)),
    total: Number(total.n),
    limit: page.limit,
    offset: page.offset,
  };
}
