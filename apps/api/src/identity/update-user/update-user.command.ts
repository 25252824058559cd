import { Command } from '@nestjs/cqrs';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UserRead } from '../shared/user.view';
import type { UpdateUserBody } from './update-user.request';

/** Change a user's `is_active` or `public_tag` (`PATCH /users/{id}`, admin). */
export class UpdateUserCommand extends Command<Committed<UserRead>> {
  constructor(
    readonly origin: CommandOrigin,
    readonly userId: string,
    readonly change: UpdateUserBody,
  ) {
    super();
  }
}
