/**
 * `GET /auth/me` (FRONTEND-CONTRACT §3.2): read from the key's and the user's streams, not the
 * read models, so a key that has just been issued (or a user just registered) is never answered
 * 404: the frontend ends the session on a 404 here.
 */
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { apiKeyDecider, userDecider } from '@kob/domain';
import { CommandRunner } from '@kob/platform';
import { apiKeyStream, userStream } from '../shared/identity-streams';
import { type SessionUserRead, sessionUserView } from '../shared/session-user.view';
import { GetMeQuery } from './get-me.query';

@QueryHandler(GetMeQuery)
export class GetMeHandler implements IQueryHandler<GetMeQuery> {
  constructor(private readonly commands: CommandRunner) {}

  async execute({ actor }: GetMeQuery): Promise<{ user: SessionUserRead }> {
    if (actor.kind === 'system') throw new Error('GET /auth/me is never called by a system actor');
    if (actor.kind === 'legacy') return { user: sessionUserView('admin', null, 'legacy') };
    const key = await this.commands.read(apiKeyStream(actor.keyId), apiKeyDecider);
    const user = actor.userId
      ? (await this.commands.read(userStream(actor.userId), userDecider)).state
      : null;
    return { user: sessionUserView(actor.scope, user, key.state.name) };
  }
}
