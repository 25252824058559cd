/** `GET /auth/me` (any valid key): the key's user, role and scopes, as the web frontend reads them. */
import type { Actor } from '@kob/kernel';
import { CurrentActor } from '../../auth/access.guard';
import type { SessionUserRead } from '../shared/session-user.view';
import { GetMeQuery } from './get-me.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('auth', 'auth')
export class GetMeController extends QueryController {
  @QueryRoute({
    path: 'me',
    dispatches: GetMeQuery,
    access: ['sender', 'support', 'auditor'],
    answers: "The key's user (null fields for a key without one), its role and scopes",
  })
  me(@CurrentActor() actor: Actor): Promise<{ user: SessionUserRead }> {
    return this.queryBus.execute(new GetMeQuery(actor));
  }
}
