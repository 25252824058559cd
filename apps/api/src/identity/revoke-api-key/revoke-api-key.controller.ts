/** `DELETE /apikeys/{id}` (admin): the key is refused from the next request on. */
import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiNoContentResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import type { Committed } from '../../http/committed';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { keyNotFound } from '../shared/identity-errors';
import { Origin } from '../../auth/access.guard';
import { RevokeApiKeyCommand } from './revoke-api-key.command';

@ApiTags('api keys')
@ApiSecurity('X-API-Key')
@Controller('apikeys')
export class RevokeApiKeyController {
  constructor(private readonly commandBus: CommandBus) {}

  @Delete(':id')
  @HttpCode(204)
  @Access()
  @Dispatches(RevokeApiKeyCommand)
  @ApiNoContentResponse({ description: 'Revoked; refused from the next request on' })
  revoke(@Origin() origin: CommandOrigin, @Param('id') rawId: string): Promise<Committed<void>> {
    return this.commandBus.execute(new RevokeApiKeyCommand(origin, routeId(rawId, keyNotFound)));
  }
}
