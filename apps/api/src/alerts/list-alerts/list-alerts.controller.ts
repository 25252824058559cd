/**
 * `GET /alerts?type=` (API-RULES.md §1, §6): support, auditor and admin read the alerts rule
 * rejections, failed payments and a halted ledger raised, newest first, paged.
 */
import { QueryStringController } from '../../http/declared-routes';
import { AlertsQuery } from './list-alerts.request';
import { ApiController } from '../../http/routes';
import { ListAlertsQuery } from './list-alerts.query';

@ApiController('alerts', 'alerts')
export class ListAlertsController extends QueryStringController({
  access: ['support', 'auditor'],
  answers: '{items, total, limit, offset}, newest first',
  params: AlertsQuery,
  query: ListAlertsQuery,
}) {}
