/**
 * Registering a user: setting `public_tag` is an admin act; username and email are reserved in
 * the same append as the user (their normal forms, identity-text.ts), 409 USER_EXISTS if taken.
 * Honours Idempotency-Key.
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { userDecider } from '@kob/domain';
import { type Actor, DomainError } from '@kob/kernel';
import { CommandRunner } from '@kob/platform';
import { ApiError } from '../../http/api-error';
import { Committed } from '../../http/committed';
import { RESERVATIONS, type ReservationStreams } from '../../platform/platform.providers';
import { uniquenessKey } from '../identity-text';
import { userStream } from '../shared/identity-streams';
import { type UserRead, userStateView } from '../shared/user.view';
import { CreateUserCommand } from './create-user.command';

const exists = (field: string) => () =>
  new DomainError('USER_EXISTS', `a user with this ${field} already exists`, 'conflict', {
    field,
  });

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
export class CreateUserHandler implements ICommandHandler<CreateUserCommand> {
  constructor(
    private readonly commands: CommandRunner,
    @Inject(RESERVATIONS) private readonly reservationStream: ReservationStreams,
  ) {}

  async execute({ origin, user }: CreateUserCommand): Promise<Committed<UserRead>> {
    if (user.public_tag !== undefined) checkMaySetPublicTag(origin.actor);
    const metadata = origin.metadata('optional');
    const usernameStream = await this.reservationStream('username', uniquenessKey(user.username));
    const emailStream = await this.reservationStream('email', uniquenessKey(user.email));
    const result = await this.commands.executeWithDerivedId({
      decider: userDecider,
      metadata,
      targetStream: userStream,
      command: (id) => ({
        type: 'RegisterUser' as const,
        userId: id,
        username: user.username,
        email: user.email,
        isActive: user.is_active ?? true,
        publicTag: user.public_tag ?? null,
        now: metadata.now.toISOString(),
      }),
      claims: (id) => [
        { streamId: usernameStream, owner: `user:${id}`, taken: exists('username') },
        { streamId: emailStream, owner: `user:${id}`, taken: exists('email') },
      ],
    });
    return new Committed(userStateView(result.state), result.position);
  }
}
