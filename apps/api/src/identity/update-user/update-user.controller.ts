/** `PATCH /users/{id}` (admin): `is_active` and `public_tag`. */
import { Body, Controller, Param, Patch } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { userNotFound } from '../shared/identity-errors';
import type { UserRead } from '../shared/user.view';
import { UpdateUserCommand } from './update-user.command';
import { UpdateUserBody } from './update-user.request';

@ApiTags('users')
@ApiSecurity('X-API-Key')
@Controller('users')
export class UpdateUserController {
  constructor(private readonly commandBus: CommandBus) {}

  @Patch(':id')
  @Access()
  @Dispatches(UpdateUserCommand)
  @ApiOkResponse({ description: 'The updated user' })
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
