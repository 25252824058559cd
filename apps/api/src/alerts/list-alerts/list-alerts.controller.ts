/**
 * `GET /alerts?type=` (API-RULES.md §1, §6): support, auditor and admin read the alerts rule
 * rejections, failed payments and a halted ledger raised, newest first, paged.
 */
import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Access } from '../../auth/access.decorator';
import { Dispatches } from '../../http/dispatches.decorator';
import type { Page } from '../../http/pagination';
import { ListAlertsQuery } from './list-alerts.query';
import { AlertsQuery } from './list-alerts.request';
import type { AlertRead } from './list-alerts.view';

@ApiTags('alerts')
@ApiSecurity('X-API-Key')
@Controller('alerts')
export class ListAlertsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Access('support', 'auditor')
  @Dispatches(ListAlertsQuery)
  @ApiOkResponse({ description: '{items, total, limit, offset}, newest first' })
  list(@Query() query: AlertsQuery): Promise<Page<AlertRead>> {
    return this.queryBus.execute(new ListAlertsQuery(query));
  }
}
