/**
 * Registering a user: setting `public_tag` or `role` is an admin act; username and email are
 * reserved in the same append as the user (their normal forms, identity-text.ts), 409 USER_EXISTS
 * if taken, and the user takes the next number of the user-number sequence in that append too
 * (user-numbers.ts). Honours Idempotency-Key.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { USER_NUMBER_SEQUENCE_STREAM, userDecider } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { UniqueCreationHandler } from '../../platform/unique-creation';
import { nextUserNumber, userNumberAppend } from '../user-numbers';
import { type UserRead, userStateView } from '../shared/user.view';
import { CreateUserCommand } from './create-user.command';

/** Setting the public-sector tag or the role is an admin act (PATCH /users/{id} is too). */
function checkAdminField(actor: Actor, field: 'public_tag' | 'role'): void {
  if (actor.kind === 'api_key' && actor.scope !== 'admin') {
    throw new ApiError(403, 'INSUFFICIENT_SCOPE', `Requires one of: [admin] to set ${field}`, {
      required_scopes: ['admin'],
      scope: actor.scope,
    });
  }
}

@CommandHandler(CreateUserCommand)
export class CreateUserHandler
  extends UniqueCreationHandler
  implements ICommandHandler<CreateUserCommand>
{
  async execute({ origin, user }: CreateUserCommand): Promise<Committed<UserRead>> {
    if (user.public_tag !== undefined) checkAdminField(origin.actor, 'public_tag');
    if (user.role !== undefined) checkAdminField(origin.actor, 'role');
    const platform = { commands: this.commands };
    const result = await this.createUnique(origin, {
      decider: userDecider,
      unique: [
        { reservation: 'username', field: 'username', value: user.username },
        { reservation: 'email', field: 'email', value: user.email },
      ],
      taken: {
        code: 'USER_EXISTS',
        message: (field) => `a user with this ${field} already exists`,
      },
      facts: { kind: 'RegisterUser', read: () => nextUserNumber(platform) },
      command: (id, now, number) => ({
        type: 'RegisterUser' as const,
        userId: id,
        username: user.username,
        email: user.email,
        isActive: user.is_active ?? true,
        publicTag: user.public_tag ?? null,
        role: user.role ?? 'user',
        number,
        now,
      }),
      extra: async ([registered], _state, metadata) =>
        registered?.type === 'user.registered.v1' && registered.data.number !== undefined
          ? [userNumberAppend(registered.data.number, registered.data.userId, metadata)]
          : [],
      // Registrations in this process take their numbers one after another (each extends the
      // sequence, so racing would only make them conflict and retry); other processes' are
      // ordered by the sequence's expected revision.
      queueOn: { stream: USER_NUMBER_SEQUENCE_STREAM },
    });
    return new Committed(userStateView(result.state), result.position);
  }
}
