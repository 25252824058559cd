/**
 * The provider's inbox from the read models only: the escrows whose provider is the caller's
 * user, each with its client's username (users) and its lowest milestone not PAID (milestones).
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { userOf } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { ListProviderInboxQuery } from './provider-inbox.query';
import {
  type InboxMilestone,
  type ProviderInboxItem,
  providerInboxItemView,
} from './provider-inbox.view';

@QueryHandler(ListProviderInboxQuery)
export class ListProviderInboxHandler implements IQueryHandler<ListProviderInboxQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ actor, page }: ListProviderInboxQuery): Promise<Page<ProviderInboxItem>> {
    const providerId = userOf(actor);
    const base = this.db.selectFrom('escrows').where('escrows.provider_id', '=', providerId);
    const ordered = base
      .leftJoin('users', 'users.id', 'escrows.client_id')
      .selectAll('escrows')
      .select('users.username as sender_display')
      .orderBy('escrows.updated_at', 'desc')
      .orderBy('escrows.id', 'desc');
    const rows = await listPage(base, ordered, page, (row) => row);
    const lowest = await this.lowestUnpaid(rows.items.map((r) => r.id));
    return { ...rows, items: rows.items.map((r) => providerInboxItemView(r, lowest.get(r.id))) };
  }

  /** Each escrow's milestone with the lowest sequence index that is not PAID yet. */
  private async lowestUnpaid(escrowIds: string[]): Promise<Map<string, InboxMilestone>> {
    const lowest = new Map<string, InboxMilestone>();
    if (escrowIds.length === 0) return lowest;
    const milestones = await this.db
      .selectFrom('milestones')
      .select(['escrow_id', 'sequence_index', 'proof_kind'])
      .where('escrow_id', 'in', escrowIds)
      .where('status', '!=', 'PAID')
      .orderBy('escrow_id')
      .orderBy('sequence_index')
      .execute();
    for (const m of milestones) if (!lowest.has(m.escrow_id)) lowest.set(m.escrow_id, m);
    return lowest;
  }
}
