import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UserRead } from '../shared/user.view';
import type { CreateUserBody } from './create-user.request';

/** Register a user (`POST /users`): username and email unique, `public_tag` set by admins only. */
export class CreateUserCommand extends Command<Committed<UserRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly user: CreateUserBody,
  ) {
    super();
  }
}
