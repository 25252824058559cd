import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import { userOf } from '../../auth/access.guard';
import { ApiError } from '../../http/api-error';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { EscrowReader } from '../shared/escrow-reader';
import { type EscrowRead, escrowRowView } from '../shared/escrows.view';
import { listPage } from '../../platform/list-page';
import { ListEscrowsQuery } from './list-escrows.query';
import { NEVER_HELD_STATUSES } from './list-escrows.request';

/** `sender_id` names the client; a sender may name only its own user (API-RULES.md §1). */
function senderFilter(actor: Actor, senderId: string | undefined): string | undefined {
  if (senderId === undefined) return undefined;
  const id = senderId.toLowerCase();
  if (actor.kind === 'api_key' && actor.scope === 'sender' && id !== userOf(actor))
    throw new ApiError(403, 'NOT_OWNER', 'sender_id must be your own user');
  return id;
}

@QueryHandler(ListEscrowsQuery)
export class ListEscrowsHandler implements IQueryHandler<ListEscrowsQuery> {
  constructor(
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
    private readonly escrows: EscrowReader,
  ) {}

  async execute({ actor, filters: q }: ListEscrowsQuery): Promise<Page<EscrowRead> | EscrowRead[]> {
    // mine=true needs the caller's user, whatever its scope (403 KEY_HAS_NO_USER).
    const mine = q.mine === 'true' ? userOf(actor) : undefined;
    const senderId = senderFilter(actor, q.sender_id);
    let query = this.db.selectFrom('escrows');
    if (actor.kind === 'api_key' && actor.scope === 'sender') {
      const userId = userOf(actor);
      query = query.where((eb) =>
        eb.or([eb('client_id', '=', userId), eb('provider_id', '=', userId)]),
      );
    }
    if (mine) query = query.where('client_id', '=', mine);
    if (senderId) query = query.where('client_id', '=', senderId);
    if (q.status && (NEVER_HELD_STATUSES as readonly string[]).includes(q.status))
      query = query.where(({ lit }) => lit(false));
    else if (q.status) query = query.where('status', '=', q.status);
    if (q.client_id) query = query.where('client_id', '=', q.client_id.toLowerCase());
    if (q.provider_id) query = query.where('provider_id', '=', q.provider_id.toLowerCase());
    if (mine) {
      // The frontend's sender list: a bare array, newest first (FRONTEND-CONTRACT.md §4.1).
      const rows = await query
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(q.limit)
        .offset(q.offset)
        .execute();
      const parties = await this.escrows.partiesOfRows(rows);
      return rows.map((r) => escrowRowView(r, parties));
    }
    const ordered = query.selectAll().orderBy('created_at').orderBy('id');
    const page = await listPage(query, ordered, q, (r) => r);
    const parties = await this.escrows.partiesOfRows(page.items);
    return { ...page, items: page.items.map((r) => escrowRowView(r, parties)) };
  }
}
