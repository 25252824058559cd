/**
 * `GET /alerts?type=` (API-RULES.md §1, §6): support, auditor and admin read the alerts rule
 * rejections, failed payments and a halted ledger raised, newest first, paged.
 */
import { Query } from '@nestjs/common';
import type { Page } from '../../http/pagination';
import { ListAlertsQuery } from './list-alerts.query';
import { AlertsQuery } from './list-alerts.request';
import type { AlertRead } from './list-alerts.view';
import { ApiController, QueryController, QueryRoute } from '../../http/routes';

@ApiController('alerts', 'alerts')
export class ListAlertsController extends QueryController {
  @QueryRoute({
    dispatches: ListAlertsQuery,
    access: ['support', 'auditor'],
    answers: '{items, total, limit, offset}, newest first',
  })
  list(@Query() query: AlertsQuery): Promise<Page<AlertRead>> {
    return this.queryBus.execute(new ListAlertsQuery(query));
  }
}
