/** `GET /users` (support, auditor, admin). */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { type Page, PageQuery } from '../../http/pagination';
import type { UserRead } from '../shared/user.view';
import { ListUsersQuery } from './list-users.query';

@ApiTags('users')
@ApiSecurity('X-API-Key')
@Controller('users')
export class ListUsersController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('support', 'auditor')
  @Dispatches(ListUsersQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}' })
  list(@Query() page: PageQuery): Promise<Page<UserRead>> {
    return this.queryBus.execute(new ListUsersQuery(page));
  }
}
