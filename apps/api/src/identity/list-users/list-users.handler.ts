import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type Page, readPage } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type UserRead, userRowView } from '../shared/user.view';
import { ListUsersQuery } from './list-users.query';

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page }: ListUsersQuery): Promise<Page<UserRead>> {
    const users = this.db.selectFrom('users');
    return readPage(
      page,
      ({ limit, offset }) =>
        users.selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute(),
      () => users.select(this.db.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
      userRowView,
    );
  }
}
