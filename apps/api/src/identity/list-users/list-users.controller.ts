/** `GET /users` (support, auditor, admin). */
import { QueryStringController } from '../../http/declared-routes';
import { PageQuery } from '../../http/pagination';
import { ApiController } from '../../http/routes';
import { ListUsersQuery } from './list-users.query';

@ApiController('users', 'users')
export class ListUsersController extends QueryStringController({
  access: ['support', 'auditor'],
  answers: '{items, total, limit, offset}',
  params: PageQuery,
  query: ListUsersQuery,
}) {}
