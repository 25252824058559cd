import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { MilestoneRead } from '../shared/escrows.view';

/** An escrow's milestones in sequence order, for one of its parties or staff. */
export class ListMilestonesQuery extends Query<MilestoneRead[]> {
  constructor(
    readonly actor: Actor,
    readonly escrowId: string,
  ) {
    super();
  }
}
