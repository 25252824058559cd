import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { listPage } from '../../platform/list-page';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type UserRead, userRowView } from '../shared/user.view';
import { ListUsersQuery } from './list-users.query';

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page }: ListUsersQuery): Promise<Page<UserRead>> {
    const users = this.db.selectFrom('users');
    return listPage(
      users,
      users.selectAll().orderBy('created_at').orderBy('id'),
      page,
      userRowView,
    );
  }
}
