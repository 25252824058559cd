/**
 * Event statistics: how many events of each type each stream category holds, for operators and
 * /metrics. Deliberately additive (counts, not upserts of a latest value), which makes it the
 * read model that proves the runner applies every event exactly once across crashes.
 */
import { sql, type Transaction } from 'kysely';
import type { RecordedEvent } from '@kob/event-store';
import type { ReadModels } from '../read-models';
import { arrayLiteral } from '../array-literal';
import { deferredWrite } from '../deferred-write';
import { preparedMark } from '../prepared-mark';

export const eventStatsProjection = {
  name: 'event_stats',
  version: 1,
  tables: ['event_stats'],
  async apply(trx: Transaction<ReadModels>, events: readonly RecordedEvent[]): Promise<void> {
    const counts = new Map<
      string,
      { category: string; type: string; events: number; last: Date }
    >();
    for (const e of events) {
      const category = streamCategory(e.streamId);
      const key = `${category}\n${e.type}`;
      const entry = counts.get(key) ?? { category, type: e.type, events: 0, last: e.recordedAt };
      entry.events += 1;
      if (e.recordedAt > entry.last) entry.last = e.recordedAt;
      counts.set(key, entry);
    }
    if (counts.size === 0) return;
    const rows = [...counts.values()];
    // One array per column: the same text whatever the batch holds, so it is prepared once.
    await deferredWrite(
      trx,
      sql`${preparedMark}
        INSERT INTO event_stats (category, type, events, last_at)
        SELECT * FROM unnest(${arrayLiteral(rows.map((c) => c.category))}::text[],
          ${arrayLiteral(rows.map((c) => c.type))}::text[],
          ${arrayLiteral(rows.map((c) => String(c.events)))}::bigint[],
          ${arrayLiteral(rows.map((c) => c.last.toISOString()))}::timestamptz[])
        ON CONFLICT (category, type) DO UPDATE
        SET events = event_stats.events + excluded.events,
            last_at = greatest(event_stats.last_at, excluded.last_at)`,
    );
  },
};

/** `escrow-123` → `escrow`; `proof-sha-ab` → `proof`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
