/** `POST /users` (support, admin; API-RULES.md §1): a new user. */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Origin } from '../../auth/access.guard';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import type { CommandOrigin } from '../../platform/command-origin';
import type { UserRead } from '../shared/user.view';
import { CreateUserCommand } from './create-user.command';
import { CreateUserBody } from './create-user.request';

@ApiTags('users')
@ApiSecurity('X-API-Key')
@Controller('users')
export class CreateUserController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(201)
  @Access('support')
  @Dispatches(CreateUserCommand)
  @ApiCreatedResponse({ description: 'The user' })
  create(
    @Origin() origin: CommandOrigin,
    @Body() body: CreateUserBody,
  ): Promise<Committed<UserRead>> {
    return this.commandBus.execute(new CreateUserCommand(origin, body));
  }
}
