import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { PageRequest } from '../../http/pagination';
import type { EscrowLedgerView } from '../shared/ledger.view';

/** An escrow's entries and held balance, for its parties too (`GET /escrows/{id}/ledger`). */
export class GetEscrowLedgerQuery extends Query<EscrowLedgerView> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}
