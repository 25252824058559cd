import { Query } from '@nestjs/cqrs';
import type { Page, PageRequest } from '../../http/pagination';
import type { UserRead } from '../shared/user.view';

/** A page of users, oldest first (`GET /users`). */
export class ListUsersQuery extends Query<Page<UserRead>> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
