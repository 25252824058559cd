/** `GET /spend/merchants`: senders, support, auditors and admin read the catalogue. */
import { Query } from '@nestjs/common';
import { type Page, PageQuery } from '../../http/pagination';
import type { MerchantRead } from '../shared/catalogue.view';
import { ListMerchantsQuery } from './list-merchants.query';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('spend', 'spend')
export class ListMerchantsController extends QueryController {
  @QueryRoute({
    path: 'merchants',
    dispatches: ListMerchantsQuery,
    answers: '{items, total, limit, offset}, oldest first',
  })
  list(@Query() page: PageQuery): Promise<Page<MerchantRead>> {
    return this.queryBus.execute(new ListMerchantsQuery(page));
  }
}
