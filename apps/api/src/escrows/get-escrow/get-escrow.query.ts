import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { EscrowRead } from '../shared/escrows.view';

/** One escrow, for one of its parties or staff. */
export class GetEscrowQuery extends Query<EscrowRead> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
  ) {
    super();
  }
}
