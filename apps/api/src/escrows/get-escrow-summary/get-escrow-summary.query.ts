import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { EscrowSummary } from '../shared/escrows.view';

/**
 * The escrow, milestones, deposits, payments, balances and the actions the caller may take,
 * folded from the stream itself: exactly what the next command will see.
 */
export class GetEscrowSummaryQuery extends Query<EscrowSummary> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
  ) {
    super();
  }
}
