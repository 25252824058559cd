import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type CategoryRead, categoryRowView } from '../shared/catalogue.view';
import { cataloguePage } from '../shared/catalogue-page';
import { ListCategoriesQuery } from './list-categories.query';

@QueryHandler(ListCategoriesQuery)
export class ListCategoriesHandler implements IQueryHandler<ListCategoriesQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page }: ListCategoriesQuery): Promise<Page<CategoryRead>> {
    return cataloguePage(this.db, 'spend_categories', page, categoryRowView);
  }
}
