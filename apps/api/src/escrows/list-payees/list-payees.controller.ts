/** `GET /escrows/{id}/payees` (API-RULES.md §1): a party, support, auditor or admin. */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { type Page, PageQuery } from '../../http/pagination';
import { routeId } from '../../http/route-id';
import { escrowNotFound } from '../shared/escrow-errors';
import type { PayeeRead } from '../shared/payees.view';
import { ListPayeesQuery } from './list-payees.query';

@ApiTags('spend')
@ApiSecurity('X-API-Key')
@Controller()
export class ListPayeesController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('escrows/:id/payees')
  @Access('sender', 'support', 'auditor')
  @Dispatches(ListPayeesQuery)
  @ApiOkResponse({ description: "The escrow's allowed payees, with what was spent to each" })
  list(
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
    @Query() page: PageQuery,
  ): Promise<Page<PayeeRead>> {
    return this.queryBus.execute(new ListPayeesQuery(actor, routeId(rawId, escrowNotFound), page));
  }
}
