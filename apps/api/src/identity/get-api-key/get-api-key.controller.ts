/** `GET /apikeys/{id}` (admin, auditor): never the key itself or its hash. */
import { Param } from '@nestjs/common';
import { routeId } from '../../http/route-id';
import type { ApiKeyRead } from '../shared/api-key.view';
import { keyNotFound } from '../shared/identity-errors';
import { GetApiKeyQuery } from './get-api-key.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('api keys', 'apikeys')
export class GetApiKeyController extends QueryController {
  @QueryRoute({
    path: ':id',
    dispatches: GetApiKeyQuery,
    access: ['auditor'],
    answers: 'The key (never the key itself or its hash)',
  })
  get(@Param('id') rawId: string): Promise<ApiKeyRead> {
    return this.queryBus.execute(new GetApiKeyQuery(routeId(rawId, keyNotFound)));
  }
}
