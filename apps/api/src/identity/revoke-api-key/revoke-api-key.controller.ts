/** `DELETE /apikeys/{id}` (admin): the key is refused from the next request on. */
import { Param } from '@nestjs/common';
import type { Committed } from '../../http/committed';
import { routeId } from '../../http/route-id';
import type { CommandOrigin } from '../../platform/command-origin';
import { keyNotFound } from '../shared/identity-errors';
import { Origin } from '../../auth/access.guard';
import { RevokeApiKeyCommand } from './revoke-api-key.command';
import { ApiController, CommandController, CommandRoute } from '../../http/routes';

@ApiController('api keys', 'apikeys')
export class RevokeApiKeyController extends CommandController {
  @CommandRoute(204, {
    method: 'delete',
    path: ':id',
    dispatches: RevokeApiKeyCommand,
    access: [],
    answers: 'Revoked; refused from the next request on',
  })
  revoke(@Origin() origin: CommandOrigin, @Param('id') rawId: string): Promise<Committed<void>> {
    return this.commandBus.execute(new RevokeApiKeyCommand(origin, routeId(rawId, keyNotFound)));
  }
}
