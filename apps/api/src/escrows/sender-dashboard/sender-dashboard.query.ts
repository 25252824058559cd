import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { SenderDashboard } from './sender-dashboard.view';

/**
 * The sender's dashboard (FRONTEND-CONTRACT.md §4.2): its latest escrows as client, the proofs
 * waiting for its decision and the latest payments of those escrows, at most `limit` of each.
 */
export class GetSenderDashboardQuery extends Query<SenderDashboard> {
  constructor(
    readonly actor: Actor,
    readonly limit: number,
  ) {
    super();
  }
}
