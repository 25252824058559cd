/** `GET /spend/categories`: senders, support, auditors and admin read the catalogue. */
import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse } from '@nestjs/swagger';
import { Dispatches } from '../../http/dispatches.decorator';
import { Access } from '../../auth/access.decorator';
import { type Page, PageQuery } from '../../http/pagination';
import type { CategoryRead } from '../shared/catalogue.view';
import { SpendController } from '../shared/spend-routes';
import { ListCategoriesQuery } from './list-categories.query';

@SpendController()
export class ListCategoriesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('categories')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListCategoriesQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}, oldest first' })
  list(@Query() page: PageQuery): Promise<Page<CategoryRead>> {
    return this.queryBus.execute(new ListCategoriesQuery(page));
  }
}
