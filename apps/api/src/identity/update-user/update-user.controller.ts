/** `PATCH /users/{id}` (admin): `is_active` and `public_tag`. */
import { Body, Param } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { userNotFound } from '../shared/identity-errors';
import type { UserRead } from '../shared/user.view';
import { UpdateUserCommand } from './update-user.command';
import { UpdateUserBody } from './update-user.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('users', 'users')
export class UpdateUserController extends CommandController {
  @CommandRoute(200, {
    method: 'patch',
    path: ':id',
    dispatches: UpdateUserCommand,
    access: [],
    answers: 'The updated user',
  })
  update(
    @Origin() origin: CommandOrigin,
    @Param('id') rawId: string,
    @Body() body: UpdateUserBody,
  ): Promise<Committed<UserRead>> {
    return this.commandBus.execute(
      new UpdateUserCommand(origin, routeId(rawId, userNotFound), body),
    );
  }
}
