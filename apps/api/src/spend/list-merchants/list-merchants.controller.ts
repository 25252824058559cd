/** `GET /spend/merchants`: senders, support, auditors and admin read the catalogue. */
import { QueryStringController } from '../../http/declared-routes';
import { PageQuery } from '../../http/pagination';
import { ApiController } from '../../http/routes';
import { ListMerchantsQuery } from './list-merchants.query';

@ApiController('spend', 'spend')
export class ListMerchantsController extends QueryStringController({
  path: 'merchants',
  answers: '{items, total, limit, offset}, oldest first',
  params: PageQuery,
  query: ListMerchantsQuery,
}) {}
