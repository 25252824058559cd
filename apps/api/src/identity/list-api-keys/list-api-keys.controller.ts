/** `GET /apikeys` (admin, auditor): never the key or its hash. */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { ApiKeyRead } from '../shared/api-key.view';
import { ListApiKeysQuery } from './list-api-keys.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('api keys', 'apikeys')
export class ListApiKeysController extends QueryController {
  @QueryRoute({
    dispatches: ListApiKeysQuery,
    access: ['auditor'],
    answers: '{items, total, limit, offset}; never the key or its hash',
  })
  list(@Query() page: PageQuery): Promise<Page<ApiKeyRead>> {
    return this.queryBus.execute(new ListApiKeysQuery(page));
  }
}
