/** `GET /users/{id}` (sender: its own user only; support, auditor, admin: any). */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { CurrentActor } from '../../auth/access.guard';
import type { UserRead } from '../shared/user.view';
import { GetUserQuery } from './get-user.query';

@ApiTags('users')
@ApiSecurity('X-API-Key')
@Controller('users')
export class GetUserController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetUserQuery)
  @ApiOkResponse({ description: 'The user (a sender: its own user only)' })
  get(@CurrentActor() actor: Actor, @Param('id') rawId: string): Promise<UserRead> {
    return this.queryBus.execute(new GetUserQuery(actor, rawId));
  }
}
