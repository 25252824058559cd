/** `GET /spend/categories`: senders, support, auditors and admin read the catalogue. */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { CategoryRead } from '../shared/catalogue.view';
import { ListCategoriesQuery } from './list-categories.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class ListCategoriesController extends QueryController {
  @QueryRoute({
    path: 'categories',
    dispatches: ListCategoriesQuery,
    answers: '{items, total, limit, offset}, oldest first',
  })
  list(@Query() page: PageQuery): Promise<Page<CategoryRead>> {
    return this.queryBus.execute(new ListCategoriesQuery(page));
  }
}
