/** `GET /spend/merchants`: senders, support, auditors and admin read the catalogue. */
import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse } from '@nestjs/swagger';
import { Dispatches } from '../../http/dispatches.decorator';
import { Access } from '../../auth/access.decorator';
import { type Page, PageQuery } from '../../http/pagination';
import type { MerchantRead } from '../shared/catalogue.view';
import { SpendController } from '../shared/spend-routes';
import { ListMerchantsQuery } from './list-merchants.query';

@SpendController()
export class ListMerchantsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('merchants')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListMerchantsQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}, oldest first' })
  list(@Query() page: PageQuery): Promise<Page<MerchantRead>> {
    return this.queryBus.execute(new ListMerchantsQuery(page));
  }
}
