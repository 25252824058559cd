/** `GET /spend/categories`: senders, support, auditors and admin read the catalogue. */
import { QueryStringController } from '../../http/declared-routes';
import { PageQuery } from '../../http/pagination';
import { ApiController } from '../../http/routes';
import { ListCategoriesQuery } from './list-categories.query';

@ApiController('spend', 'spend')
export class ListCategoriesController extends QueryStringController({
  path: 'categories',
  answers: '{items, total, limit, offset}, oldest first',
  params: PageQuery,
  query: ListCategoriesQuery,
}) {}
