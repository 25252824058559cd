/** `GET /users` (support, auditor, admin). */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { UserRead } from '../shared/user.view';
import { ListUsersQuery } from './list-users.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('users', 'users')
export class ListUsersController extends QueryController {
  @QueryRoute({
    dispatches: ListUsersQuery,
    access: ['support', 'auditor'],
    answers: '{items, total, limit, offset}',
  })
  list(@Query() page: PageQuery): Promise<Page<UserRead>> {
    return this.queryBus.execute(new ListUsersQuery(page));
  }
}
