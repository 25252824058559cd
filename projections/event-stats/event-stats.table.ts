import type { Insertable, Selectable } from 'kysely';
import type { Timestamp } from '../column-types';

export interface EventStatsTable {
  category: string;
  type: string;
  events: string;
  last_at: Timestamp;
}

export type EventStatsRow = Selectable<EventStatsTable>;
export type NewEventStatsRow = Insertable<EventStatsTable>;
