/** `GET /spend/merchants`: senders, support, auditors and admin read the catalogue. */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { MerchantRead } from '../shared/catalogue.view';
import { SpendController } from '../shared/spend-routes';
import { ListMerchantsQuery } from './list-merchants.query';
import { ReadRoute } from '../../mandates/shared/read-route';
import { QueryDispatcher } from '../../mandates/shared/dispatchers';

@SpendController()
export class ListMerchantsController extends QueryDispatcher {
  @ReadRoute('merchants', ListMerchantsQuery, '{items, total, limit, offset}, oldest first')
  list(@Query() page: PageQuery): Promise<Page<MerchantRead>> {
    return this.queryBus.execute(new ListMerchantsQuery(page));
  }
}
