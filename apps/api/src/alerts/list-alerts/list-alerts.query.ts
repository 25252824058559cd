import { Query } from '@nestjs/cqrs';
import type { Page } from '../../http/pagination';
import type { AlertsQuery } from './list-alerts.request';
import type { AlertRead } from './list-alerts.view';

/** A page of alerts, newest first, of one type or all (`GET /alerts`). */
export class ListAlertsQuery extends Query<Page<AlertRead>> {
  constructor(readonly filters: AlertsQuery) {
    super();
  }
}
