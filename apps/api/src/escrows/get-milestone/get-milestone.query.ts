import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { MilestoneRead } from '../shared/escrows.view';

/** One milestone, for one of its escrow's parties or staff. */
export class GetMilestoneQuery extends Query<MilestoneRead> {
  constructor(
    readonly actor: Actor,
    readonly milestoneId: string,
  ) {
    super();
  }
}
