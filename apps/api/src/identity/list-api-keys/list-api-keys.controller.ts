/** `GET /apikeys` (admin, auditor): never the key or its hash. */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { type Page, PageQuery } from '../../http/pagination';
import type { ApiKeyRead } from '../shared/api-key.view';
import { ListApiKeysQuery } from './list-api-keys.query';

@ApiTags('api keys')
@ApiSecurity('X-API-Key')
@Controller('apikeys')
export class ListApiKeysController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('auditor')
  @Dispatches(ListApiKeysQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}; never the key or its hash' })
  list(@Query() page: PageQuery): Promise<Page<ApiKeyRead>> {
    return this.queryBus.execute(new ListApiKeysQuery(page));
  }
}
