/**
 * Reading a user: a sender only its own (403 before the id is even looked at, as ever), the
 * others any; an id that is not a UUID names no user.
 */
import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { type Actor, isUuid } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { userNotFound } from '../shared/identity-errors';
import { type UserRead, userRowView } from '../shared/user.view';
import { GetUserQuery } from './get-user.query';

function checkMayRead(actor: Actor, id: string): void {
  if (actor.kind !== 'api_key' || actor.scope !== 'sender') return;
  if (!actor.userId)
    throw new ApiError(403, 'KEY_HAS_NO_USER', 'this API key is not linked to a user');
  if (actor.userId !== id)
    throw new ApiError(403, 'NOT_OWNER', 'a sender may read only its own user');
}

@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  async execute({ actor, rawId }: GetUserQuery): Promise<UserRead> {
    const id = rawId.toLowerCase();
    checkMayRead(actor, id);
    if (!isUuid(id)) throw userNotFound();
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw userNotFound();
    return userRowView(row);
  }
}
