/** `GET /apikeys/{id}` (admin, auditor): never the key itself or its hash. */
import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { ApiKeyRead } from '../shared/api-key.view';
import { keyNotFound } from '../shared/identity-errors';
import { GetApiKeyQuery } from './get-api-key.query';

@ApiTags('api keys')
@ApiSecurity('X-API-Key')
@Controller('apikeys')
export class GetApiKeyController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get(':id')
  @Access('auditor')
  @Dispatches(GetApiKeyQuery)
  @ApiOkResponse({ description: 'The key (never the key itself or its hash)' })
  get(@Param('id') rawId: string): Promise<ApiKeyRead> {
    return this.queryBus.execute(new GetApiKeyQuery(routeId(rawId, keyNotFound)));
  }
}
