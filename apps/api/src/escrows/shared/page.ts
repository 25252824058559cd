/** A page of read-model rows (`{items, total, limit, offset}`) from one filtered query. */
import type { SelectQueryBuilder } from 'kysely';
import type { Page, PageQuery } from '../../http/pagination';

/** `rows` answers the page's rows; `total` counts what `query` matches. */
export async function pageOf<DB, TB extends keyof DB, R, T>(
  page: PageQuery,
  query: SelectQueryBuilder<DB, TB, object>,
  rows: Promise<R[]>,
  view: (row: R) => T,
): Promise<Page<T>> {
  // The selection's type is lost to the generic query: it is the one `n` selected here.
  const count = query
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow() as Promise<unknown> as Promise<{ n: string }>;
  const [items, total] = await Promise.all([rows, count]);
  return {
    items: items.map(view),
    total: Number(total.n),
    limit: page.limit,
    offset: page.offset,
  };
}
