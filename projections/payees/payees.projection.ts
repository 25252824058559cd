import type { Transaction } from 'kysely';
import type { RecordedEvent } from '../../libs/event-store/src/event-store.port';

/** Placeholder: allowed payees (issue 6, escrow spend). */
export const payeesProjection = {
  name: 'payees',
  version: 1,
  tables: ['allowed_payees'],
  async apply(_trx: Transaction<any>, _events: readonly RecordedEvent[]): Promise<void> {},
};
