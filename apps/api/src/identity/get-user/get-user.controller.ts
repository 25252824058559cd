/** `GET /users/{id}` (sender: its own user only; support, auditor, admin: any). */
import { Param } from '@nestjs/common';
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { UserRead } from '../shared/user.view';
import { GetUserQuery } from './get-user.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('users', 'users')
export class GetUserController extends QueryController {
  @QueryRoute({
    path: ':id',
    dispatches: GetUserQuery,
    answers: 'The user (a sender: its own user only)',
  })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UserRead> {
    return this.queryBus.execute(new GetUserQuery(actor, rawId));
  }
}
