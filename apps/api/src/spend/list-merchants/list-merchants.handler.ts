import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import { READ_MODELS, type ReadModelsDb } from '../../platform/platform.providers';
import { type MerchantRead, merchantRowView } from '../shared/catalogue.view';
import { cataloguePage } from '../shared/catalogue-page';
import { ListMerchantsQuery } from './list-merchants.query';

@QueryHandler(ListMerchantsQuery)
export class ListMerchantsHandler implements IQueryHandler<ListMerchantsQuery> {
  constructor(@Inject(READ_MODELS) private readonly db: ReadModelsDb) {}

  execute({ page }: ListMerchantsQuery): Promise<Page<MerchantRead>> {
    return cataloguePage(this.db, 'merchants', page, merchantRowView);
  }
}
