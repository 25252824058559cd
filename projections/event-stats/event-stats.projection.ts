/**
 * Event statistics: how many events of each type each stream category holds, for operators and
 * /metrics. Deliberately additive (counts, not upserts of a latest value), which makes it the
 * read model that proves the runner applies every event exactly once across crashes.
 */
import type { Transaction } from 'kysely';
import type { RecordedEvent } from '@kob/event-store';
import type { ReadModels } from '../read-models';
import { deferredWrite } from '../deferred-write';

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
    await deferredWrite(
      trx,
      trx
        .insertInto('event_stats')
        .values(
          [...counts.values()].map((c) => ({
            category: c.category,
            type: c.type,
            events: String(c.events),
            last_at: c.last,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['category', 'type']).doUpdateSet((eb) => ({
            events: eb('event_stats.events', '+', eb.ref('excluded.events')),
            last_at: eb.fn('greatest', [eb.ref('event_stats.last_at'), eb.ref('excluded.last_at')]),
          })),
        ),
    );
  },
};

/** `escrow-123` → `escrow`; `proof-sha-ab` → `proof`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
