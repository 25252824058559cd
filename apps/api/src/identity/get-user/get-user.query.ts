import { Query } from '@nestjs/cqrs';
import type { Actor } from '@kob/kernel';
import type { UserRead } from '../shared/user.view';

/** One user (`GET /users/{id}`): a sender reads only its own. `rawId` as the path gave it. */
export class GetUserQuery extends Query<UserRead> {
  constructor(
    readonly actor: Actor,
    readonly rawId: string,
  ) {
    super();
  }
}
