import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

/** Placeholder: filled by the issue-6 work on this area. */
export const spendProjection = {
  name: 'spend',
  version: 1,
  tables: [] as string[],
  async apply(_trx: Transaction<any>, _events: readonly RecordedEvent[]): Promise<void> {},
};
