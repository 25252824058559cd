/** Every projector the service runs, in a stable order. */
import { eventStatsProjection } from './event-stats/event-stats.projection';

export const allProjectors = [eventStatsProjection] as const;
