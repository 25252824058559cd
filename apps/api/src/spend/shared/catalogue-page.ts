/** One page of a catalogue table (categories or merchants), oldest first. */
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import type { ReadModelsDb } from '../../platform/platform.providers';

export function cataloguePage<V>(
  db: ReadModelsDb,
  table: 'spend_categories' | 'merchants',
  page: { limit: number; offset: number },
  view: (row: Record<string, any>) => V,
): Promise<Page<V>> {
  const rows = db.selectFrom(table);
  return listPage(rows, rows.selectAll().orderBy('created_at').orderBy('id'), page, view);
}
