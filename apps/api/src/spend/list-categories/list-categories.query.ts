import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { CategoryRead } from '../shared/catalogue.view';

/** The catalogue's categories, oldest first. */
export class ListCategoriesQuery extends Query<Page<CategoryRead>> {
  constructor(readonly page: PageQuery) {
    super();
  }
}
