/** An owner's recipients, oldest first, from the read model; 404 USER_NOT_FOUND for no such owner. */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { CommandRunner } from '@kob/platform';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { listPage } from '../../platform/list-page';
import { requireUsers } from '../shared/transfer-users';
import { type AllowlistEntryRead, allowlistRowView } from '../shared/transfers.view';
import { ListRecipientsQuery } from './list-recipients.query';

@QueryHandler(ListRecipientsQuery)
export class ListRecipientsHandler implements IQueryHandler<ListRecipientsQuery> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(READ_MODELS) private readonly db: ReadModelsDb,
  ) {}

  async execute({ ownerId, page }: ListRecipientsQuery): Promise<Page<AllowlistEntryRead>> {
    await requireUsers(this.commands, [ownerId]);
    const base = this.db.selectFrom('allowlist_entries').where('owner_id', '=', ownerId);
    return listPage(
      base,
      base.selectAll().orderBy('created_at').orderBy('recipient_id'),
      page,
      allowlistRowView,
    );
  }
}
