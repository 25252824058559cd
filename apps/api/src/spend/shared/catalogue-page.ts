/** One page of a catalogue table (categories or merchants), oldest first. */
import type { Page } from '../../http/pagination';
import { readPage } from '../../mandates/shared/read-page';
import type { ReadModelsDb } from '../../platform/platform.providers';

export function cataloguePage<V>(
  db: ReadModelsDb,
  table: 'spend_categories' | 'merchants',
  page: { limit: number; offset: number },
  view: (row: Record<string, any>) => V,
): Promise<Page<V>> {
  return readPage(
    db
      .selectFrom(table)
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    db.selectFrom(table).select(db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    page,
    view,
  );
}
