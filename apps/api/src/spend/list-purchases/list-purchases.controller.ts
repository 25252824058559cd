/** `GET /spend/purchases`: senders (their own), support, auditor and admin (all). */
import { Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Dispatches } from '../../http/dispatches.decorator';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import type { Page } from '../../http/pagination';
import type { PurchaseRead } from '../shared/purchase.view';
import { SpendController } from '../shared/spend-routes';
import { ListPurchasesQuery } from './list-purchases.query';
import { PurchaseListQuery } from './list-purchases.request';

@SpendController()
export class ListPurchasesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('purchases')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListPurchasesQuery)
  @ApiOkResponse({
    description:
      '{items, total, limit, offset}; a sender sees purchases where it is sender or beneficiary',
  })
  list(@CurrentActor() actor: Actor, @Query() q: PurchaseListQuery): Promise<Page<PurchaseRead>> {
    return this.queryBus.execute(new ListPurchasesQuery(actor, q));
  }
}
