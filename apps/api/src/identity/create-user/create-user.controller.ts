/** `POST /users` (support, admin; API-RULES.md §1): a new user. */
import { Body } from '@nestjs/common';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UserRead } from '../shared/user.view';
import { CreateUserCommand } from './create-user.command';
import { CreateUserBody } from './create-user.request';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('users', 'users')
export class CreateUserController extends CommandController {
  @CommandRoute(201, { dispatches: CreateUserCommand, access: ['support'], answers: 'The user' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateUserBody,
  ): Promise<Committed<UserRead>> {
    return this.commandBus.execute(new CreateUserCommand(origin, body));
  }
}
