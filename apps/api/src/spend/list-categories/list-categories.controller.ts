/** `GET /spend/categories`: senders, support, auditors and admin read the catalogue. */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { CategoryRead } from '../shared/catalogue.view';
import { SpendController } from '../shared/spend-routes';
import { ListCategoriesQuery } from './list-categories.query';
import { ReadRoute } from '../../mandates/shared/read-route';
import { QueryDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class ListCategoriesController extends QueryDispatcher {
  @ReadRoute('categories', ListCategoriesQuery, '{items, total, limit, offset}, oldest first')
  list(@Query() page: PageQuery): Promise<Page<CategoryRead>> {
    return this.queryBus.execute(new ListCategoriesQuery(page));
  }
}
