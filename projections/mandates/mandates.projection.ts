import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

/** Placeholder: mandates and purchases (issue 6). */
export const mandatesProjection = {
  name: 'mandates',
  version: 1,
  tables: [] as string[],
  async apply(_trx: Transaction<any>, _events: readonly RecordedEvent[]): Promise<void> {},
};
