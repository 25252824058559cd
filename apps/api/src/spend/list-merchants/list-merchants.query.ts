import { Query } from '@nestjs/cqrs';
import type { Page, PageQuery } from '../../http/pagination';
import type { MerchantRead } from '../shared/catalogue.view';

/** The catalogue's merchants, oldest first. */
export class ListMerchantsQuery extends Query<Page<MerchantRead>> {
  constructor(readonly page: PageQuery) {
    super();
  }
}
