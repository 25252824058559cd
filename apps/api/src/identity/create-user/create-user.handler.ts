/**
 * Registering a user: setting `public_tag` is an admin act; username and email are reserved in
 * the same append as the user (their normal forms, identity-text.ts), 409 USER_EXISTS if taken.
 * Honours Idempotency-Key.
 */
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { userDecider } from '@kob/domain';
import type { Actor } from '@kob/kernel';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { UniqueCreationHandler } from '../../platform/unique-creation';
import { type UserRead, userStateView } from '../shared/user.view';
import { CreateUserCommand } from './create-user.command';

/** Setting the public-sector tag is an admin act (PATCH /users/{id} is admin-only too). */
function checkMaySetPublicTag(actor: Actor): void {
  if (actor.kind === 'api_key' && actor.scope !== 'admin') {
    throw new ApiError(403, 'INSUFFICIENT_SCOPE', 'Requires one of: [admin] to set public_tag', {
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
    if (user.public_tag !== undefined) checkMaySetPublicTag(origin.actor);
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
      command: (id, now) => ({
        type: 'RegisterUser' as const,
        userId: id,
        username: user.username,
        email: user.email,
        isActive: user.is_active ?? true,
        publicTag: user.public_tag ?? null,
        now,
      }),
    });
    return new Committed(userStateView(result.state), result.position);
  }
}
