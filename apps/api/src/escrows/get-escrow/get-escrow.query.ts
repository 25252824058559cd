import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { EscrowRead } from '../shared/escrows.view';

/**
 * One escrow, for one of its parties or staff; with `asOf` (auditors and admin), as its stream
 * stood at that point (`EscrowAsOfRead`).
 */
export class GetEscrowQuery extends Query<EscrowRead> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
    /** the `as_of` parameter as sent: a position token or an ISO-8601 time */
    readonly asOf?: string,
  ) {
    super();
  }
}
