/** `GET /apikeys` (admin, auditor): never the key or its hash. */
import { QueryStringController } from '../../http/declared-routes';
import { PageQuery } from '../../http/pagination';
import { ApiController } from '../../http/routes';
import { ListApiKeysQuery } from './list-api-keys.query';

@ApiController('api keys', 'apikeys')
export class ListApiKeysController extends QueryStringController({
  access: ['auditor'],
  answers: '{items, total, limit, offset}; never the key or its hash',
  params: PageQuery,
  query: ListApiKeysQuery,
}) {}
