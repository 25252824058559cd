import type { Insertable, Selectable } from 'kysely';

export interface EventStatsTable {
  category: string;
  type: string;
  events: string;
  last_at: Date;
}

export type EventStatsRow = Selectable<EventStatsTable>;
export type NewEventStatsRow = Insertable<EventStatsTable>;
