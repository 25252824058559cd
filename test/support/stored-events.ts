/**
 * The events a test's app stored, read the same way on either store: on PostgreSQL straight
 * from the events table (every committed event, whatever an open transaction hides from `$all`
 * readers), on EventStoreDB through the port's `$all` (where no such horizon exists). Tests that
 * count or inspect what a call appended use these, so they hold on both stores
 * (`npm run test:eventstoredb`).
 */
import { sql } from 'kysely';
import type { Pool } from 'pg';
import {
  type EventStore,
  type Position,
  EventStoreDbEventStore,
  PostgresEventStore,
} from '@kob/event-store';
import type { Platform } from '@kob/platform';

export interface StoredEvent {
  streamId: string;
  type: string;
  data: any;
  metadata: any;
  position: Position;
}

/** Every stored event, in `$all` order. */
export async function storedEvents(
  platform: Pick<Platform, 'db' | 'store'>,
): Promise<StoredEvent[]> {
  if (platform.store.name !== 'postgresql') {
    const out: StoredEvent[] = [];
    let after: Position | null = null;
    for (;;) {
      const page = await platform.store.readAll({ fromPosition: after, maxCount: 1000 });
      out.push(
        ...page.map((e) => ({
          streamId: e.streamId,
          type: e.type,
          data: e.data,
          metadata: e.metadata,
          position: e.position,
        })),
      );
      if (page.length < 1000) return out;
      after = page[page.length - 1]!.position;
    }
  }
  const { rows } = await sql<{
    stream_id: string;
    type: string;
    data: any;
    metadata: any;
    tx: string;
    pos: string;
  }>`
    SELECT stream_id, type, data, metadata, transaction_id::text AS tx, position::text AS pos
    FROM events ORDER BY transaction_id, position`.execute(platform.db);
  return rows.map((r) => ({
    streamId: r.stream_id,
    type: r.type,
    data: r.data,
    metadata: r.metadata,
    position: { tx: BigInt(r.tx), pos: BigInt(r.pos) },
  }));
}

/** How many stored events pass `where` (all of them without it). */
export async function storedEventCount(
  platform: Pick<Platform, 'db' | 'store'>,
  where: (e: StoredEvent) => boolean = () => true,
): Promise<number> {
  return (await storedEvents(platform)).filter(where).length;
}

/** Whether the events run on EventStoreDB in this run (`npm run test:eventstoredb`). */
export const onEventStoreDb = (platform: Pick<Platform, 'store'>): boolean =>
  platform.store.name === 'eventstoredb';

/** Another process's connection to the same store (a second pool, or a second client). */
export function anotherConnection(
  platform: Pick<Platform, 'store' | 'config'>,
  newPool: (max: number) => Pool,
): EventStore {
  return onEventStoreDb(platform)
    ? EventStoreDbEventStore.connect(platform.config.eventStoreConnectionString!)
    : new PostgresEventStore(newPool(2));
}

/** The environment that points a child process at the same event store as `platform`. */
export function storeEnv(platform: Pick<Platform, 'store' | 'config'>): Record<string, string> {
  return onEventStoreDb(platform)
    ? {
        EVENT_STORE: 'eventstoredb',
        EVENTSTORE_CONNECTION_STRING: platform.config.eventStoreConnectionString!,
      }
    : {};
}
